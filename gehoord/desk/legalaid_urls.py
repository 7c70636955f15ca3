"""The platform's legalaid pages (included by gehoord/urls.py at their own root)."""

app_name = "legalaid"
urlpatterns: list = []
