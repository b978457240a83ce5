// /api/secure and /api/secure/admin: a JWT-protected API, so load plans can exercise token
// signing, expiry and role checks against a server that really verifies them.

#include "target/api_support.h"

namespace stampede::target {
namespace {

// RFC 6750: a refused bearer token is a 401 with a WWW-Authenticate challenge.
Reply unauthorized(ApiState& api, JwtError error) {
  api.counters.record(ApiEvent::kJwtRejected);
  Reply reply = json_reply(http::status::unauthorized,
                           {{"error", "invalid_token"}, {"reason", to_string(error)}});
  reply.response.set(http::field::www_authenticate, R"(Bearer error="invalid_token")");
  return reply;
}

JwtCheck check_token(const RouteRequest& request) {
  const auto token = JwtVerifier::bearer_token(request.message[http::field::authorization]);
  return request.state.api.jwt.verify(token, JwtVerifier::Clock::now());
}

// {"sub": ..., "role": ..., "claims": {...}}: the identity a real API would act as, echoed so a
// plan can check it sent the token it meant to.
nlohmann::json identity(const nlohmann::json& claims) {
  return {{"sub", claims.value("sub", nlohmann::json())},
          {"role", claims.value("role", nlohmann::json())},
          {"claims", claims}};
}

Reply handle_secure(const RouteRequest& request) {
  ApiState& api = request.state.api;
  const JwtCheck check = check_token(request);
  if (!check.ok()) return unauthorized(api, check.error);
  api.counters.record(ApiEvent::kJwtAccepted);
  return json_reply(http::status::ok, identity(check.claims));
}

// A valid token is not enough here: the "role" claim must be "admin", else 403.
Reply handle_secure_admin(const RouteRequest& request) {
  ApiState& api = request.state.api;
  const JwtCheck check = check_token(request);
  if (!check.ok()) return unauthorized(api, check.error);
  const auto role = check.claims.find("role");
  if (role == check.claims.end() || *role != "admin") {
    api.counters.record(ApiEvent::kJwtForbidden);
    return json_reply(http::status::forbidden,
                      {{"error", "forbidden"}, {"reason", "role admin required"}});
  }
  api.counters.record(ApiEvent::kJwtAccepted);
  return json_reply(http::status::ok, identity(check.claims));
}

}  // namespace

void add_secure_routes(Router& router) {
  router.add("/api/secure", handle_secure, http::verb::get);
  router.add("/api/secure/admin", handle_secure_admin, http::verb::get);
}

}  // namespace stampede::target
