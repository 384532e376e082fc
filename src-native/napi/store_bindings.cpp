// System certificate stores: list/find, add, remove, and reading a PFX. Each function returns
// { status, failedFunction?, ... }; TypeScript (lib/certstore) validates first and decides what is thrown.
#include "../sspi/system_stores.h"
#include "bindings.h"
#include "marshal.h"

namespace binding {

namespace {

bool Present(const Napi::Object& object, const char* key) {
  if (!object.Has(key)) return false;
  Napi::Value value = object.Get(key);
  return !value.IsUndefined() && !value.IsNull();
}

Napi::Object Options(const Napi::CallbackInfo& info) {
  if (info.Length() < 1 || !info[0].IsObject()) {
    throw TypeErrorWithCode(info.Env(), "The \"options\" argument must be of type object");
  }
  return info[0].As<Napi::Object>();
}

// location: 0 CurrentUser, 1 LocalMachine.
sspi::StoreLocation Location(const Napi::Object& object) {
  return ToUint32(object.Get("location"), "location") == 1 ? sspi::StoreLocation::LocalMachine
                                                             : sspi::StoreLocation::CurrentUser;
}

std::wstring StoreName(const Napi::Object& object) {
  std::wstring name = ToWide(object.Get("store"), "store");
  if (name.empty()) throw TypeErrorWithCode(object.Env(), "The \"store\" argument must not be empty", "ERR_INVALID_ARG_VALUE");
  return name;
}

Napi::String WideToJs(Napi::Env env, const std::wstring& text) {
  return Napi::String::New(env, std::u16string(text.begin(), text.end()));
}

// { by: 0 any | 1 sha1 | 2 subject | 3 issuer, sha1?: Uint8Array(20), text?: string }
sspi::FindQuery ToQuery(const Napi::Value& value) {
  sspi::FindQuery query;
  if (value.IsUndefined() || value.IsNull()) return query;
  if (!value.IsObject()) throw TypeErrorWithCode(value.Env(), "The \"find\" argument must be of type object");
  auto object = value.As<Napi::Object>();
  switch (ToUint32(object.Get("by"), "by")) {
    case 1:
      query.by = sspi::FindBy::Sha1;
      query.sha1 = ToBytes(object.Get("sha1"), "sha1");
      if (query.sha1.size() != 20) {
        throw TypeErrorWithCode(value.Env(), "The \"sha1\" argument must hold 20 bytes", "ERR_INVALID_ARG_VALUE");
      }
      break;
    case 2:
      query.by = sspi::FindBy::SubjectText;
      query.text = ToWide(object.Get("text"), "text");
      break;
    case 3:
      query.by = sspi::FindBy::IssuerText;
      query.text = ToWide(object.Get("text"), "text");
      break;
    default:
      break;
  }
  return query;
}

Napi::Array EntriesToJs(Napi::Env env, const std::vector<std::shared_ptr<sspi::CertContext>>& certificates) {
  Napi::Array list = Napi::Array::New(env, certificates.size());
  for (size_t i = 0; i < certificates.size(); ++i) {
    sspi::CertificateEntry entry = sspi::Describe(certificates[i]->get());
    Napi::Object item = Napi::Object::New(env);
    item.Set("der", ToBuffer(env, entry.der));
    item.Set("thumbprint", ToBuffer(env, entry.sha1));
    item.Set("friendlyName", WideToJs(env, entry.friendlyName));
    item.Set("hasPrivateKey", Napi::Boolean::New(env, entry.hasPrivateKey));
    list.Set(static_cast<uint32_t>(i), item);
  }
  return list;
}

Napi::Object StatusObject(Napi::Env env, const sspi::StoreStatus& status) {
  Napi::Object result = Napi::Object::New(env);
  result.Set("status", Napi::Number::New(env, status.status));
  if (status.failedFunction != nullptr) result.Set("failedFunction", Napi::String::New(env, status.failedFunction));
  return result;
}

const char* LookupName(sspi::CredentialLookup outcome) {
  switch (outcome) {
    case sspi::CredentialLookup::Found:
      return "found";
    case sspi::CredentialLookup::StoreFailed:
      return "store-failed";
    case sspi::CredentialLookup::NotFound:
      return "not-found";
    case sspi::CredentialLookup::Ambiguous:
      return "ambiguous";
    case sspi::CredentialLookup::NoPrivateKey:
      break;
  }
  return "no-private-key";
}

}  // namespace

// storeList({ location, store, find? }) -> { status, failedFunction?, certificates?: [{ der, thumbprint,
//   friendlyName, hasPrivateKey }] }
Napi::Value StoreList(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object options = Options(info);
  sspi::FindQuery query = ToQuery(Present(options, "find") ? options.Get("find") : env.Undefined());
  sspi::OpenedStore opened = sspi::OpenSystemStore(Location(options), StoreName(options), sspi::StoreAccess::ReadOnly);
  Napi::Object result = StatusObject(env, opened);
  if (opened.status != 0) return result;
  result.Set("certificates", EntriesToJs(env, sspi::FindCertificates(*opened.store, query).certificates));
  return result;
}

// storeAdd({ location, store, der? | pfx? + passphrase?, createStore? }) -> { status, failedFunction?, thumbprints? }
Napi::Value StoreAdd(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object options = Options(info);
  sspi::StoreLocation location = Location(options);
  std::wstring name = StoreName(options);
  bool create = Present(options, "createStore") && options.Get("createStore").ToBoolean().Value();
  sspi::StoreChange change;
  if (Present(options, "pfx")) {
    std::wstring passphrase = Present(options, "passphrase") ? ToWide(options.Get("passphrase"), "passphrase") : std::wstring();
    change = sspi::AddPfxCertificates(location, name, ToBytes(options.Get("pfx"), "pfx"), passphrase, create);
  } else {
    change = sspi::AddEncodedCertificate(location, name, ToBytes(options.Get("der"), "der"), create);
  }
  Napi::Object result = StatusObject(env, change);
  if (change.status == 0) result.Set("thumbprints", ToBufferArray(env, change.thumbprints));
  return result;
}

// storeRemove({ location, store, thumbprint, deleteKey }) -> { status, failedFunction?, thumbprints?, keysDeleted? }
Napi::Value StoreRemove(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object options = Options(info);
  sspi::Bytes sha1 = ToBytes(options.Get("thumbprint"), "thumbprint");
  if (sha1.size() != 20) throw TypeErrorWithCode(env, "The \"thumbprint\" argument must hold 20 bytes", "ERR_INVALID_ARG_VALUE");
  bool deleteKey = Present(options, "deleteKey") && options.Get("deleteKey").ToBoolean().Value();
  sspi::StoreChange change = sspi::RemoveCertificate(Location(options), StoreName(options), sha1, deleteKey);
  Napi::Object result = StatusObject(env, change);
  if (change.status == 0) {
    result.Set("thumbprints", ToBufferArray(env, change.thumbprints));
    result.Set("keysDeleted", Napi::Number::New(env, change.keysDeleted));
  }
  return result;
}

// pfxRead(pfx, passphrase) -> { status, failedFunction?, certificates? }
Napi::Value PfxRead(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 2) throw TypeErrorWithCode(env, "pfxRead() takes 2 arguments");
  sspi::PfxContents contents = sspi::ReadPfx(ToBytes(info[0], "pfx"), ToWide(info[1], "passphrase"));
  Napi::Object result = StatusObject(env, contents);
  if (contents.status == 0) result.Set("certificates", EntriesToJs(env, contents.certificates));
  return result;
}

sspi::CredentialCertificate StoreCertificateFor(const Napi::Value& value) {
  if (!value.IsObject()) throw TypeErrorWithCode(value.Env(), "The \"certificate\" argument must be of type object");
  auto object = value.As<Napi::Object>();
  sspi::FindQuery query = ToQuery(object.Get("find"));
  if (query.by == sspi::FindBy::Any) {
    throw TypeErrorWithCode(value.Env(), "The \"certificate\" argument must name a thumbprint or a subject", "ERR_INVALID_ARG_VALUE");
  }
  return sspi::FindCredentialCertificate(Location(object), StoreName(object), query);
}

Napi::Object StoreCertificateFailure(Napi::Env env, const sspi::CredentialCertificate& lookup) {
  Napi::Object result = StatusObject(env, lookup);
  result.Set("certificateLookup", Napi::String::New(env, LookupName(lookup.outcome)));
  result.Set("certificateMatches", ToBufferArray(env, lookup.matches));
  return result;
}

}  // namespace binding
