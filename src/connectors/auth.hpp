// connectors/auth.hpp — applying a credential to a request, and OAuth 2.0 refresh.
//
// choose_auth() picks the manifest auth kind a credential is for: its `auth_kind`
// field when set, else the first kind whose secret field the credential has.
// apply_auth() adds the header or query parameter (api_key, bearer, basic) and
// registers every secret it used with the Redactor.
//
// OAuthRefresher keeps OAuth 2.0 access tokens fresh: a token that expires within
// the skew (60 s) is refreshed before the call, and a 401 triggers one refresh
// and one retry. Concurrent refreshes of one credential collapse into a single
// token request whose result every waiter receives; a rotated refresh token is
// saved back to the vault together with the new access token and expires_at
// (unix seconds).
//
// Thread-safety: apply_auth/choose_auth are pure; OAuthRefresher may be used from
// any thread and completes callbacks on the transport's threads.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "connectors/http_exchange.hpp"
#include "connectors/manifest.hpp"
#include "famulor/status.hpp"
#include "famulor/value.hpp"
#include "security/redact.hpp"

namespace famulor::security {
class Vault;
}

namespace famulor::connectors {

// nullptr when the app needs no authentication; an error when the credential
// fits none of the app's auth kinds.
Result<const AuthSpec*> choose_auth(const Manifest& manifest, const Value& fields);
Status apply_auth(const Manifest& manifest, const AuthSpec& auth, const Value& fields, HttpRequest& request,
                  security::Redactor& redactor);

class OAuthRefresher {
 public:
  using Clock = std::function<std::int64_t()>;  // unix ms
  OAuthRefresher(security::Vault* vault, Transport transport, Clock now = {});
  ~OAuthRefresher();

  static constexpr std::int64_t kSkewMs = 60'000;

  // Whether fields hold an access token that is still good for kSkewMs.
  bool fresh(const Value& fields) const;

  // Calls done with credential fields holding a usable access token: as given when
  // fresh and not `rejected_token`; otherwise after a refresh (one in flight per
  // credential; others wait for it). `rejected_token` is the access token the app
  // just answered 401 to ("" = none): if the vault already holds another one, that
  // one is used without a new refresh.
  void ensure(const Manifest& manifest, const AuthSpec& auth, const std::string& credential_name, Value fields,
              std::string rejected_token, std::function<void(Result<Value>)> done);

  // Token requests sent so far (tests use it to see collapsing).
  int refresh_count() const;

 private:
  void refresh(const Manifest& manifest, const AuthSpec& auth, const std::string& name, Value fields);
  void finish(const std::string& name, Result<Value> result);

  security::Vault* vault_;
  Transport transport_;
  Clock now_;
  mutable std::mutex mu_;
  std::map<std::string, std::vector<std::function<void(Result<Value>)>>> waiting_;
  int refreshes_ = 0;
};

}  // namespace famulor::connectors
