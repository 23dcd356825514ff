// A real OpenID Connect provider for the sign-in browser test, on 127.0.0.1 only.
//   node tests/browser/oidc_provider.mjs PORT REDIRECT_URI CLIENT_ID CLIENT_SECRET
// Two accounts (log in with the account name and any password on the provider's own dev pages):
//   editor -> ed.itor@example.org, viewer -> vi.ewer@example.org
// oidc-provider's "dev interactions" draw the login and consent pages; never use them in production.
import Provider from "oidc-provider";

const [port, redirectUri, clientId, clientSecret] = process.argv.slice(2);
if (!port || !redirectUri || !clientId || !clientSecret) {
  console.error("usage: node oidc_provider.mjs PORT REDIRECT_URI CLIENT_ID CLIENT_SECRET");
  process.exit(2);
}

const ACCOUNTS = {
  editor: { email: "ed.itor@example.org", name: "Ed Itor" },
  viewer: { email: "vi.ewer@example.org", name: "Vi Ewer" },
};

const provider = new Provider(`http://127.0.0.1:${port}`, {
  clients: [
    {
      client_id: clientId,
      client_secret: clientSecret,
      redirect_uris: [redirectUri],
      // Streamlit's st.logout sends the redirect URI as where to come back after signing out.
      post_logout_redirect_uris: [redirectUri, redirectUri.replace(/\/oauth2callback$/, "/")],
      grant_types: ["authorization_code"],
      response_types: ["code"],
    },
  ],
  async findAccount(ctx, id) {
    const account = ACCOUNTS[id];
    if (!account) return undefined;
    return {
      accountId: id,
      async claims() {
        return { sub: id, email: account.email, email_verified: true, name: account.name };
      },
    };
  },
  claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["name"] },
  // Put the e-mail and name into the ID token itself (Streamlit reads the ID token).
  conformIdTokenClaims: false,
  features: { devInteractions: { enabled: true } },
  cookies: { keys: ["local-focus-test-only-cookie-key"] },
});
// Plain http on 127.0.0.1: the provider would otherwise insist on https cookies behind a proxy.
provider.proxy = false;

const server = provider.listen(Number(port), "127.0.0.1", () => {
  console.log(`oidc-provider listening on http://127.0.0.1:${port}`);
});
process.on("SIGTERM", () => server.close(() => process.exit(0)));
