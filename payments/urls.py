from django.urls import path

from payments import office, views

urlpatterns = [
    path("payments/pay/", views.pay, name="payments_pay"),
    path("office/payments/", office.payments_list, name="payments_office_list"),
    path("office/payments/booked.csv", office.payments_csv, name="payments_office_csv"),
    path("office/payments/account/", office.accounts, name="payments_office_account"),
    path(
        "office/payments/account/<slug:gateway>/",
        office.account,
        name="payments_office_gateway",
    ),
    path(
        "office/payments/account/<slug:gateway>/test",
        office.account_test,
        name="payments_office_account_test",
    ),
    path("payments/<uuid:public_id>/", views.payment_return, name="payments_return"),
]
