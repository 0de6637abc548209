from django.urls import path

from metering import office, views

urlpatterns = [
    path("meters/", views.meters, name="metering_meters"),
    path("meters/<int:pk>/", views.meter_detail, name="metering_meter"),
    path("meters/premises/<int:pk>/", views.premises_use, name="metering_premises"),
    path("meters/<int:pk>/reading", views.reading_submit, name="metering_reading_submit"),
    path("meters/<int:pk>/readings.csv", views.readings_csv, name="metering_readings_csv"),
    path("meters/readings/<int:pk>/photo", views.reading_photo, name="metering_reading_photo"),
    path("office/readings/", office.review_queue, name="metering_office_review"),
    path(
        "office/readings/<int:pk>/review", office.reading_review, name="metering_office_review_act"
    ),
    path(
        "office/readings/<int:pk>/photo", office.reading_photo, name="metering_office_reading_photo"
    ),
    path("office/readings/windows/", office.windows, name="metering_office_windows"),
    path("office/meters/legalisation/", office.legalisation, name="metering_office_legalisation"),
    path("office/meters/", office.meters_search, name="metering_office_meters"),
    path("office/meters/alerts/", office.alerts, name="metering_office_alerts"),
    path(
        "office/meters/alerts/<int:pk>/resolve",
        office.alert_resolve,
        name="metering_office_alert_resolve",
    ),
    path("office/readings/windows/<int:pk>/", office.window_edit, name="metering_office_window"),
    path(
        "office/readings/windows/<int:pk>/missing",
        office.window_missing,
        name="metering_office_window_missing",
    ),
    path("office/meters/<int:pk>/replace", office.meter_replace, name="metering_office_replace"),
    path(
        "office/readings/windows/<int:pk>/delete",
        office.window_delete,
        name="metering_office_window_delete",
    ),
]
