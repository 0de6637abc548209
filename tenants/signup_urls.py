from django.urls import path

from tenants import views

urlpatterns = [
    path("signup/", views.signup_view, name="signup"),
    path("signup/confirm/<str:token>/", views.signup_confirm_view, name="signup_confirm"),
    path("signup/<uuid:public_id>/", views.signup_status_view, name="signup_status"),
    path("terms/", views.terms_view, name="platform_terms"),
]
