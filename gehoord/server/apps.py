from django.apps import AppConfig


class ServerConfig(AppConfig):
    name = "gehoord.server"
    verbose_name = "Server"
