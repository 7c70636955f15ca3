"""The platform's public pages (included by portal/urls.py)."""

urlpatterns: list = []
