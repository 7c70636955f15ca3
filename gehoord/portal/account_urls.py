"""The platform's account pages (included by portal/urls.py)."""

urlpatterns: list = []
