// The README's twilio-node recipe (between the markers; a Python test keeps the two the same).
// recipe:begin
const twilio = require("twilio");

// The hosts numberpool serves, in every form the SDK builds: {product}.twilio.com,
// {product}.{region}.twilio.com and {product}.{edge}.{region}.twilio.com.
const SERVED = /^https:\/\/(api|messaging|trunking|proxy)(?:\.[a-z0-9-]+){0,2}\.twilio\.com(?=\/)/;

class Local extends twilio.RequestClient {
  constructor(baseUrl, options) {
    super(options);
    this.baseUrl = baseUrl.replace(/\/+$/, "");
  }

  async request(opts) {
    const uri = opts.uri.replace(SERVED, (_, product) => this.baseUrl + (product === "api" ? "" : `/${product}`));
    if (!uri.startsWith(`${this.baseUrl}/`)) {  // another product, or any host but numberpool's
      throw new Error(`numberpool does not serve ${new URL(opts.uri).host}; nothing was sent to Twilio`);
    }
    return super.request({ ...opts, uri });
  }
}

// The SDK puts the region and edge into every host it requests, numberpool's own next-page
// URLs included, and mangles some names even without them (localhost becomes
// localhost.ie1.localhost, np.test becomes np.test.np.test): here only Twilio's hosts change.
class LocalTwilio extends twilio.Twilio {
  getHostname(host, edge, region) {
    return host.endsWith(".twilio.com") ? super.getHostname(host, edge, region) : host;
  }
}

function localClient(baseUrl, accountSid, authToken, options = {}) {
  return new LocalTwilio(accountSid, authToken, { ...options, httpClient: new Local(baseUrl, options) });
}
// recipe:end

module.exports = { Local, LocalTwilio, localClient };
