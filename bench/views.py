from django.contrib.auth import get_user_model
from django.http import JsonResponse


def ping(request):
    """The measured view: one query, a small JSON body."""
    row = get_user_model().objects.filter(username="bench").values_list("id", "username").first()
    return JsonResponse({"id": row[0], "username": row[1]})
