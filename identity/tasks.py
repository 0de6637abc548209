from celery import shared_task


@shared_task(name="identity.tasks.password_reset_deliver")
def password_reset_deliver(*, user_id: int | None, base_url: str) -> None:
    from identity.services import password_reset_deliver as deliver  # noqa: PLC0415 - the services queue these tasks

    deliver(user_id=user_id, base_url=base_url)


@shared_task(name="identity.tasks.login_reminder_deliver")
def login_reminder_deliver(*, email: str, base_url: str) -> None:
    from identity.services import login_reminder_deliver as deliver  # noqa: PLC0415 - the services queue these tasks

    deliver(email=email, base_url=base_url)


@shared_task(name="identity.tasks.registration_verify")
def registration_verify(*, request_id: int, base_url: str) -> None:
    from identity.registration.services import registration_verify as verify  # noqa: PLC0415 - the services queue these tasks

    verify(request_id=request_id, base_url=base_url)


@shared_task(name="identity.tasks.registration_open_account")
def registration_open_account(*, user_id: int) -> None:
    from identity.registration.services import registration_open_account as open_account  # noqa: PLC0415 - the services queue these tasks

    open_account(user_id=user_id)


@shared_task(name="identity.tasks.data_export_build")
def data_export_build(*, export_id: int, base_url: str) -> None:
    from identity.services.data_export import data_export_build as build  # noqa: PLC0415 - the services queue these tasks

    build(export_id=export_id, base_url=base_url)


@shared_task(name="identity.tasks.data_exports_expire")
def data_exports_expire() -> int:
    from identity.services.data_export import data_exports_expire as expire  # noqa: PLC0415 - the services queue these tasks

    return expire()


@shared_task(name="identity.tasks.retention_apply")
def retention_apply() -> int:
    from identity.services.erasure import retention_apply as apply  # noqa: PLC0415 - the services queue these tasks

    return apply().pk


@shared_task(name="identity.tasks.accessibility_review_remind")
def accessibility_review_remind() -> int:
    from identity.services import accessibility_review_remind as remind  # noqa: PLC0415 - the services queue these tasks

    return remind()
