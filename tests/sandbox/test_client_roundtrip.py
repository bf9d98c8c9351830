"""The project's own DeviantArt client against the sandbox: the two agree end to end."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from photomanager.deviantart import (
    DeviantArtApiClient,
    DeviantArtHttpClient,
    DeviantArtOAuth,
)
from photomanager.deviantart.retry import AdaptiveDelay, RetryPolicy
from photomanager.domain.errors import (
    AccountRestricted,
    InsufficientScope,
    OutcomeUnknown,
    RateLimited,
    ReauthRequired,
    RequestRejected,
)
from photomanager.domain.models import OAuthToken, TokenKind
from photomanager.domain.pkce import code_challenge_s256, make_code_verifier
from photomanager.sandbox import ManualClock, RateLimit, Sandbox
from photomanager.sandbox.adapters import SandboxTransport

REDIRECT = "http://127.0.0.1:8000/auth/callback"


class SandboxTokens:
    """A token provider holding sandbox-issued tokens; refreshes through the real OAuth code."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.user: OAuthToken = sandbox.issue_user_token()
        self.app: OAuthToken = sandbox.issue_client_token()
        self.oauth: DeviantArtOAuth | None = None

    def get_token(self, kind: TokenKind) -> str:
        return (self.user if kind is TokenKind.USER else self.app).access_token

    def refresh_token(self, kind: TokenKind, rejected: str) -> str:
        assert self.oauth is not None
        if kind is TokenKind.CLIENT:
            self.app = self.oauth.client_credentials()
            return self.app.access_token
        assert self.user.refresh_token is not None
        self.user = self.oauth.refresh(self.user.refresh_token)
        return self.user.access_token


@pytest.fixture
def waits() -> list[float]:
    """Waits the client asked for; each one moves the sandbox clock instead of sleeping."""
    return []


@pytest.fixture
def stack(
    sandbox: Sandbox, sandbox_clock: ManualClock, waits: list[float]
) -> Iterator[tuple[DeviantArtApiClient, SandboxTokens]]:
    """The real client over the sandbox transport, with waits turned into clock moves."""
    tokens = SandboxTokens(sandbox)

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        sandbox_clock.advance(seconds)

    # The adaptive delay reads the same fake clock, so a wait it asked for counts as time passed.
    delay = AdaptiveDelay(RetryPolicy(), monotonic=lambda: sandbox_clock.now().timestamp())
    with DeviantArtHttpClient(
        tokens=tokens,
        transport=SandboxTransport(sandbox),
        sleep=sleep,
        clock=sandbox_clock,
        delay=delay,
    ) as http:
        tokens.oauth = DeviantArtOAuth(
            http,
            client_id=sandbox.client_id,
            client_secret=sandbox.client_secret,
            clock=sandbox_clock,
        )
        yield DeviantArtApiClient(http), tokens


@pytest.fixture
def api(stack: tuple[DeviantArtApiClient, SandboxTokens]) -> DeviantArtApiClient:
    return stack[0]


@pytest.fixture
def target(sandbox: Sandbox) -> str:
    return sandbox.deviation_ids(commentable=True)[0]


class TestReading:
    def test_whoami_is_the_artist(self, sandbox: Sandbox, api: DeviantArtApiClient) -> None:
        """whoami parses into the sandbox's artist."""
        assert api.whoami() == sandbox.artist

    def test_watch_feed_parses_every_deviation(
        self, sandbox: Sandbox, api: DeviantArtApiClient
    ) -> None:
        """A full watch-feed page parses with no deviation skipped, hostile text included."""
        page = api.browse(
            "browse/deviantsyouwatch",
            token_kind=TokenKind.USER,
            offset=0,
            limit=50,
            mature_content=False,
        )
        assert [d.deviationid for d in page.results] == sandbox.deviation_ids(
            feed="watch", mature=False
        )[:50]
        assert page.next_offset == 50
        assert all(d.published_time is not None for d in page.results)

    def test_home_with_a_user_token(self, sandbox: Sandbox, api: DeviantArtApiClient) -> None:
        """The global feed (browse/home) works with the user token."""
        page = api.browse(
            "browse/home", token_kind=TokenKind.USER, offset=0, limit=20, mature_content=True
        )
        assert [d.deviationid for d in page.results] == sandbox.deviation_ids()[:20]

    def test_tag_feed_with_a_client_token(self, sandbox: Sandbox, api: DeviantArtApiClient) -> None:
        """The tag feed works with the client-credentials token, the tag kept from the path."""
        page = api.browse(
            "browse/tags?tag=watercolor",
            token_kind=TokenKind.CLIENT,
            offset=0,
            limit=20,
            mature_content=True,
        )
        assert [d.deviationid for d in page.results] == sandbox.deviation_ids(tag="watercolor")[:20]


class TestPosting:
    def test_post_and_read_back(
        self, sandbox: Sandbox, api: DeviantArtApiClient, target: str
    ) -> None:
        """A posted comment comes back parsed and is found by reading the thread."""
        comment = api.post_comment(target, 'Ура! 🌸 <b>"nice"</b>')
        page = api.list_comments(target, offset=0, limit=50)
        assert comment.author.userid == sandbox.artist.userid
        assert comment in page.thread
        assert [c.body for c in sandbox.ledger.comments_for(target)] == ['Ура! 🌸 <b>"nice"</b>']

    def test_dropped_answer_is_outcome_unknown_but_findable(
        self, sandbox: Sandbox, api: DeviantArtApiClient, target: str
    ) -> None:
        """A lost answer raises OutcomeUnknown, is not repeated, and reconciliation finds it."""
        sandbox.faults.drop_next_posts = 1
        with pytest.raises(OutcomeUnknown):
            api.post_comment(target, "lost")
        thread = api.list_comments(target, offset=0, limit=50).thread
        assert [c.body for c in thread if c.author.userid == sandbox.artist.userid] == ["lost"]
        assert len(sandbox.ledger.requests("post_comment")) == 1

    def test_500_on_post_is_not_repeated(
        self, sandbox: Sandbox, api: DeviantArtApiClient, target: str
    ) -> None:
        """An ambiguous 500 becomes OutcomeUnknown after exactly one POST."""
        sandbox.faults.server_error_probability = 1.0
        sandbox.faults.server_error_after_store = True
        with pytest.raises(OutcomeUnknown):
            api.post_comment(target, "maybe")
        assert len(sandbox.ledger.requests("post_comment")) == 1
        assert sandbox.ledger.duplicates() == []

    @pytest.mark.parametrize("fault", ["deleted", "disabled"])
    def test_refusals_are_request_rejected(
        self, sandbox: Sandbox, api: DeviantArtApiClient, target: str, fault: str
    ) -> None:
        """Deleted deviations and disabled comments raise RequestRejected."""
        if fault == "deleted":
            sandbox.delete_deviation(target)
        else:
            sandbox.set_allows_comments(target, False)
        with pytest.raises(RequestRejected):
            api.post_comment(target, "hello")

    def test_restricted_account_is_account_restricted(
        self, sandbox: Sandbox, api: DeviantArtApiClient, target: str
    ) -> None:
        """The 403 spam answer raises AccountRestricted and is never retried."""
        sandbox.faults.account_restricted = True
        with pytest.raises(AccountRestricted):
            api.post_comment(target, "hello")
        assert len(sandbox.ledger.requests("post_comment")) == 1


class TestTokens:
    def test_expired_token_is_refreshed_once(
        self, sandbox: Sandbox, api: DeviantArtApiClient, sandbox_clock: ManualClock
    ) -> None:
        """After an hour of sandbox time the client refreshes and carries on."""
        sandbox_clock.advance(3601)
        assert api.whoami() == sandbox.artist
        assert sandbox.ledger.token_calls("refresh_token") == 1

    def test_revoked_refresh_token_means_reauth(
        self, sandbox: Sandbox, api: DeviantArtApiClient
    ) -> None:
        """With every token revoked the client reports ReauthRequired."""
        sandbox.revoke_all_tokens()
        with pytest.raises(ReauthRequired):
            api.whoami()

    def test_missing_scope_is_insufficient_scope(
        self, sandbox: Sandbox, stack: tuple[DeviantArtApiClient, SandboxTokens], target: str
    ) -> None:
        """A token without comment.post raises InsufficientScope, not AccountRestricted."""
        api, tokens = stack
        tokens.user = sandbox.issue_user_token(scope="browse user")
        with pytest.raises(InsufficientScope):
            api.post_comment(target, "hello")


SPACING_S = 1.0  # the client's least spacing between two requests (its default)


class TestRateLimits:
    def test_client_honours_retry_after_and_gets_through(
        self, sandbox: Sandbox, api: DeviantArtApiClient, waits: list[float]
    ) -> None:
        """After a 429 the client waits at least Retry-After, then succeeds without a tarpit."""
        sandbox.faults.rate_limit = RateLimit(capacity=1, refill_per_s=0.2)
        api.whoami()
        assert api.whoami() == sandbox.artist
        limited = [r for r in sandbox.ledger.requests("whoami") if r.status == 429]
        assert len(limited) == 1
        # Besides the spacing between two requests (1 s, the turn), one wait: Retry-After's.
        retry_waits = [w for w in waits if w > SPACING_S]
        assert len(retry_waits) == 1
        assert retry_waits[0] >= 4  # 5 s to refill, 1 s of it spent waiting for the turn
        assert api.get_recommended_delay() > 1.0

    def test_a_long_retry_after_is_raised_not_waited(
        self, sandbox: Sandbox, api: DeviantArtApiClient, waits: list[float]
    ) -> None:
        """A Retry-After over the client's cap surfaces as RateLimited with the value."""
        sandbox.faults.rate_limit = RateLimit(capacity=1, refill_per_s=0.001)
        api.whoami()
        with pytest.raises(RateLimited) as caught:
            api.whoami()
        assert caught.value.retry_after >= 999  # 1000 s to refill, less the turn's 1 s
        assert [w for w in waits if w > SPACING_S] == []  # only the turn's spacing, if any


class TestBrowserFlow:
    def test_authorize_exchange_with_the_real_oauth_code(
        self, sandbox: Sandbox, stack: tuple[DeviantArtApiClient, SandboxTokens]
    ) -> None:
        """authorize_url -> sandbox redirect -> exchange_code gives working user tokens."""
        _, tokens = stack
        assert tokens.oauth is not None
        verifier = make_code_verifier()
        url = tokens.oauth.authorize_url(
            state="s1",
            code_challenge=code_challenge_s256(verifier),
            redirect_uri=REDIRECT,
            scope="browse comment.post user",
        )
        with httpx.Client(transport=SandboxTransport(sandbox)) as browser:
            location = browser.get(url).headers["location"]
        query = parse_qs(urlsplit(location).query)
        assert query["state"] == ["s1"]
        token = tokens.oauth.exchange_code(
            code=query["code"][0], code_verifier=verifier, redirect_uri=REDIRECT
        )
        assert set(token.scope.split()) >= {"browse", "comment.post", "user"}
        assert sandbox.ledger.token_calls("authorization_code") == 1
