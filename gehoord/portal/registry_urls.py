"""The platform's registry pages (included by portal/urls.py)."""

urlpatterns: list = []
