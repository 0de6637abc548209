from django.urls import path

from payments import views

urlpatterns = [
    path("payments/pay/", views.pay, name="payments_pay"),
    path("payments/<uuid:public_id>/", views.payment_return, name="payments_return"),
]
