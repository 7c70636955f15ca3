"""The platform's moderation pages (included by gehoord/urls.py at their own root)."""

app_name = "moderation"
urlpatterns: list = []
