"""Discord's OAuth2 token and user endpoints as the dashboard's code flow
uses them, for the tests that log in with Discord."""

from __future__ import annotations

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse
from starlette.routing import Route

CLIENT_ID = "4242"
RETURN = "http://127.0.0.1:8080/auth/discord/callback"


def fake_discord(user_id: str, secret: str, name: str = "Dana") -> Starlette:
    """Answers the code `good-code` for `user_id`, with Basic auth of the
    client id and `secret`."""

    async def token(request: Request) -> JSONResponse:
        form = await request.form()
        auth = httpx.BasicAuth(CLIENT_ID, secret)
        expected = next(auth.auth_flow(httpx.Request("GET", "http://x"))).headers["authorization"]
        if request.headers.get("authorization") != expected or form.get("code") != "good-code":
            return JSONResponse({"error": "invalid_grant"}, status_code=400)
        assert form.get("redirect_uri") == RETURN
        return JSONResponse({"access_token": "discord-access", "token_type": "Bearer"})

    async def me(request: Request) -> JSONResponse | PlainTextResponse:
        if request.headers.get("authorization") != "Bearer discord-access":
            return PlainTextResponse("no", status_code=401)
        return JSONResponse({"id": user_id, "username": name.lower(), "global_name": name})

    return Starlette(
        routes=[Route("/api/oauth2/token", token, methods=["POST"]), Route("/api/users/@me", me)]
    )
