"""Sign-in with the organization's OpenID Connect provider, on top of mozilla-django-oidc.

mozilla-django-oidc does the protocol's moves (the authorization request with state, nonce
and a PKCE S256 challenge kept in the session; the code exchanged for tokens; the keys read
from the provider's JWKS). What it leaves to the site, done here:

- the endpoints read from the issuer's discovery document, whose ``issuer`` must be the one
  configured;
- the ID token checked in full: signature (an algorithm of ``OIDC_SIGNING_ALGORITHMS`` only),
  issuer, audience, expiry, nonce (the library checks the signature, expiry and nonce only);
- every refusal a page that says why (the library redirects without a word, and answers a
  replayed state with a bare 400), counted by the login throttle (django-axes) like a wrong
  password;
- who the person is: ``services.identity_sign_in`` matches the provider's subject.
"""

import logging
import time
from urllib.parse import urlencode

import jwt
import requests
from django.conf import settings
from django.contrib import auth
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.utils import absolutify, import_from_settings
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from . import services

logger = logging.getLogger(__name__)

# What the login throttle counts provider sign-ins under (with the person's address): before
# the provider has answered nobody knows who is signing in.
THROTTLE_USERNAME = "(organization account)"

# The discovery document and the keys, per issuer, for this long (seconds).
DISCOVERY_TTL = 3600
_discovered: dict[str, tuple[float, dict]] = {}

# The library's settings that come from the discovery document.
ENDPOINTS = {
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "authorization_endpoint",
    "OIDC_OP_TOKEN_ENDPOINT": "token_endpoint",
    "OIDC_OP_USER_ENDPOINT": "userinfo_endpoint",
    "OIDC_OP_JWKS_ENDPOINT": "jwks_uri",
}


class SignInRefused(PermissionDenied):
    """A sign-in the provider answered but the site refuses; the message is for the person."""


def enabled() -> bool:
    """Whether sign-in with a provider is configured."""
    return bool(settings.OIDC_ISSUER)


def discovery() -> dict:
    """The provider's discovery document (cached for an hour), checked against the issuer."""
    issuer = settings.OIDC_ISSUER
    if not issuer:
        raise ImproperlyConfigured("DJANGO_OIDC_ISSUER is not set.")
    url = settings.OIDC_DISCOVERY_URL or issuer.rstrip("/") + "/.well-known/openid-configuration"
    cached = _discovered.get(url)
    if cached and cached[0] > time.monotonic():
        return cached[1]
    try:
        response = requests.get(url, timeout=settings.OIDC_TIMEOUT)
        response.raise_for_status()
        document = response.json()
    except (requests.RequestException, ValueError) as error:
        logger.warning("OpenID Connect discovery at %s failed: %s", url, error)
        raise SignInRefused(
            _("The sign-in service cannot be reached right now. Please try again in a moment.")
        ) from error
    if document.get("issuer") != issuer:
        logger.error("Discovery at %s names issuer %r, not %r", url, document.get("issuer"), issuer)
        raise SignInRefused(
            _("The sign-in service is not the one this site is set up for (wrong issuer).")
        )
    _discovered[url] = (time.monotonic() + DISCOVERY_TTL, document)
    return document


def forget_discovery() -> None:
    """Drop the cached discovery documents (tests start providers of their own)."""
    _discovered.clear()


def _setting(attr, *args):
    if attr in ENDPOINTS:
        return discovery().get(ENDPOINTS[attr], *args or (None,))
    return import_from_settings(attr, *args)


def _refuse(request: HttpRequest, message: str) -> None:
    request.oidc_refusal = message
    raise SignInRefused(message)


class ProviderBackend(OIDCAuthenticationBackend):
    """Authenticates the provider's callback; every other sign-in passes it by."""

    def __init__(self, *args, **kwargs):
        # The library reads the endpoints here; they come from discovery, at sign-in time.
        self.UserModel = auth.get_user_model()

    get_settings = staticmethod(_setting)

    def authenticate(self, request, nonce=None, code_verifier=None, **kwargs):
        if request is None or nonce is None or not enabled() or "password" in kwargs:
            return None
        code = request.GET.get("code")
        if not code:
            _refuse(request, _("The sign-in service sent no sign-in code."))
        self.request = request
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID
        self.OIDC_RP_CLIENT_SECRET = settings.OIDC_RP_CLIENT_SECRET
        self.OIDC_OP_TOKEN_ENDPOINT = _setting("OIDC_OP_TOKEN_ENDPOINT")
        self.OIDC_OP_USER_ENDPOINT = _setting("OIDC_OP_USER_ENDPOINT")
        self.OIDC_OP_JWKS_ENDPOINT = _setting("OIDC_OP_JWKS_ENDPOINT")
        payload = {
            "client_id": settings.OIDC_RP_CLIENT_ID,
            "client_secret": settings.OIDC_RP_CLIENT_SECRET,
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": absolutify(request, reverse(settings.OIDC_AUTHENTICATION_CALLBACK_URL)),
        }
        if code_verifier is not None:
            payload["code_verifier"] = code_verifier
        try:
            tokens = self.get_token(payload)
        except requests.RequestException as error:
            logger.warning("OpenID Connect token request refused: %s", error)
            _refuse(request, _("The sign-in service refused to complete the sign-in."))
        id_token = tokens.get("id_token")
        if not id_token:
            _refuse(request, _("The sign-in service sent no ID token."))
        claims = self.verify_id_token(id_token, nonce=nonce)
        claims = {**self._userinfo(tokens.get("access_token"), claims), **claims}
        self.store_tokens(tokens.get("access_token"), id_token)
        try:
            return services.identity_sign_in(
                issuer=settings.OIDC_ISSUER, claims=claims, request=request
            )
        except services.SignInError as error:
            _refuse(request, str(error))

    def verify_id_token(self, token: str, *, nonce: str) -> dict:
        """The ID token's claims once its signature, issuer, audience, expiry and nonce hold."""
        try:
            header = jwt.get_unverified_header(token)
        except jwt.InvalidTokenError:
            _refuse(self.request, _("The sign-in service sent an ID token that cannot be read."))
        algorithm = header.get("alg")
        if algorithm not in settings.OIDC_SIGNING_ALGORITHMS:
            _refuse(
                self.request,
                _("The sign-in service signed its ID token with an algorithm not accepted here."),
            )
        self.OIDC_RP_SIGN_ALGO = algorithm
        try:
            key = self.retrieve_matching_jwk(token)
        except Exception as error:  # no key of that id: as good as a bad signature
            logger.warning("No key of the provider matches the ID token: %s", error)
            _refuse(self.request, _("The ID token's signature does not match the provider's keys."))
        try:
            claims = jwt.decode(
                token,
                key,
                algorithms=[algorithm],
                audience=settings.OIDC_RP_CLIENT_ID,
                issuer=settings.OIDC_ISSUER,
                leeway=60,
                options={"require": ["iss", "aud", "exp", "iat", "sub"]},
            )
        except jwt.InvalidSignatureError:
            _refuse(self.request, _("The ID token's signature does not match the provider's keys."))
        except jwt.InvalidIssuerError:
            _refuse(
                self.request,
                _("The ID token was issued by another service than the one this site trusts."),
            )
        except jwt.ExpiredSignatureError:
            _refuse(self.request, _("The ID token has expired. Please sign in again."))
        except jwt.InvalidAudienceError:
            _refuse(self.request, _("The ID token was issued for another application."))
        except jwt.MissingRequiredClaimError as error:
            _refuse(
                self.request,
                _("The ID token has no “%(claim)s” claim.") % {"claim": error.claim},
            )
        except jwt.InvalidTokenError as error:
            logger.warning("ID token refused: %s", error)
            _refuse(self.request, _("The ID token is not valid."))
        if claims.get("nonce") != nonce:
            _refuse(self.request, _("The ID token does not belong to this sign-in (nonce)."))
        return claims

    def _userinfo(self, access_token: str | None, claims: dict) -> dict:
        """The userinfo endpoint's claims (for their subject only); {} when there is none."""
        if not access_token or not self.OIDC_OP_USER_ENDPOINT:
            return {}
        try:
            info = self.get_userinfo(access_token, None, claims)
        except Exception as error:  # Entra's userinfo is Graph's: the ID token suffices
            logger.info("Userinfo not read: %s", error)
            return {}
        return info if isinstance(info, dict) and info.get("sub") == claims.get("sub") else {}


def _throttled_failure(request: HttpRequest) -> None:
    user_login_failed.send(
        sender=__name__, credentials={"username": THROTTLE_USERNAME}, request=request
    )


def refusal_page(request: HttpRequest, message: str, status: int = 403) -> HttpResponse:
    """The page of a refused sign-in, with what happened and what to do."""
    return render(
        request,
        "accounts/signin_refused.html",
        {"reason": message, "provider_name": settings.OIDC_PROVIDER_NAME},
        status=status,
    )


class SignInStart(OIDCAuthenticationRequestView):
    """Sends the person to the provider, with state, nonce and a PKCE challenge."""

    get_settings = staticmethod(_setting)

    def __init__(self, *args, **kwargs):
        super(OIDCAuthenticationRequestView, self).__init__(*args, **kwargs)

    def get(self, request):
        if not enabled():
            return redirect("login")
        try:
            self.OIDC_OP_AUTH_ENDPOINT = _setting("OIDC_OP_AUTHORIZATION_ENDPOINT")
        except SignInRefused as error:
            return refusal_page(request, str(error), status=503)
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID
        return super().get(request)


class SignInCallback(OIDCAuthenticationCallbackView):
    """The provider's answer: signs the person in, or shows why not."""

    get_settings = staticmethod(_setting)

    def get(self, request):
        if not enabled():
            return redirect("login")
        if request.GET.get("error"):
            _throttled_failure(request)
            description = request.GET.get("error_description") or request.GET["error"]
            return refusal_page(
                request,
                _("The sign-in service did not sign you in: %(reason)s")
                % {"reason": description[:300]},
            )
        state = request.GET.get("state")
        states = request.session.get("oidc_states") or {}
        if not state or state not in states:
            # Used already, or begun in another browser: a replayed or forged answer.
            _throttled_failure(request)
            return refusal_page(
                request,
                _(
                    "This sign-in link was already used, or was started in another browser "
                    "window. Please sign in again."
                ),
                status=400,
            )
        # Once only: the state goes before the provider is asked anything.
        entry = states.pop(state)
        request.session["oidc_states"] = states
        request.session.save()
        self.user = auth.authenticate(
            request=request,
            nonce=entry.get("nonce"),
            code_verifier=entry.get("code_verifier"),
            username=THROTTLE_USERNAME,
        )
        if getattr(request, "axes_locked_out", False):
            return HttpResponse(status=429)  # AxesMiddleware answers its lockout page
        if self.user is None:
            refusal = getattr(request, "oidc_refusal", "") or _("The sign-in did not succeed.")
            return refusal_page(request, refusal)
        if not self.user.is_active:
            return refusal_page(
                request,
                _(
                    "Your access to this site has been removed. Ask your coordinator if this is wrong."
                ),
            )
        if services.awaiting_approval(self.user):
            return render(request, "accounts/awaiting_approval.html", {"person": self.user})
        return self.login_success()


def provider_logout_url(request: HttpRequest) -> str | None:
    """The provider's end-session address for this session's ID token, when it offers one."""
    if not enabled() or "oidc_id_token" not in request.session:
        return None
    try:
        endpoint = discovery().get("end_session_endpoint")
    except SignInRefused:
        return None
    if not endpoint:
        return None
    query = {
        "id_token_hint": request.session["oidc_id_token"],
        "client_id": settings.OIDC_RP_CLIENT_ID,
        "post_logout_redirect_uri": request.build_absolute_uri(
            reverse(settings.LOGOUT_REDIRECT_URL)
        ),
    }
    return f"{endpoint}?{urlencode(query)}"
