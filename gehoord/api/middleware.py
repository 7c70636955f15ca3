from django.utils import translation


class ApiLanguageMiddleware:
    """The API speaks English unless the client asks for another language (Accept-Language).

    Integrators read error messages in logs and code; the site's Dutch default is for people.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith("/api/") and "HTTP_ACCEPT_LANGUAGE" not in request.META:
            translation.activate("en")
            request.LANGUAGE_CODE = "en"
        return self.get_response(request)
