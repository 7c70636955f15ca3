"""The platform's company pages (included by portal/urls.py)."""

urlpatterns: list = []
