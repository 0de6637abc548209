from django.urls import path

from payments import views

urlpatterns = [
    path("payments/<uuid:public_id>/", views.payment_return, name="payments_return"),
]
