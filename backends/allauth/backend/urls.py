from django.urls import include, path

# Headless only: the browser client's API is under /_allauth/browser/v1/ and its OpenAPI
# specification at /_allauth/openapi.json.
urlpatterns = [path("_allauth/", include("allauth.headless.urls"))]
