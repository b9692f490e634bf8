from __future__ import annotations

from django.contrib import admin
from django.urls import path
from django.views.generic import RedirectView

from console import casework, links, people, signin, views, watchlist_page

urlpatterns = [
    path("", views.operations, name="operations"),
    path("statistics/", views.statistics, name="statistics"),
    path("traces/", people.traces, name="traces"),
    path("cases/", casework.cases, name="cases"),
    path("cases/<str:case_id>/", casework.case, name="case"),
    path("cases/<str:case_id>/status/", casework.case_status, name="case-status"),
    path("watchlist/", watchlist_page.watchlist, name="watchlist"),
    path("links/", links.links, name="links"),
    path("audit/", people.audit, name="audit"),
    path("signins/", people.signins, name="signins"),
    path("signin/", signin.signin, name="signin"),
    path("signout/", signin.signout, name="signout"),
    # the admin signs in through the console's form (lockout, second factor)
    path("admin/login/", RedirectView.as_view(url="/signin/", query_string=True)),
    path("admin/", admin.site.urls),
]
