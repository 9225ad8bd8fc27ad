using System.Net;
using Microsoft.Extensions.Options;
using Peft.Server.Errors;
using Peft.Server.Options;

namespace Peft.Server.Security;

/// <summary>
/// Who may call what, for both edges: an API only on its own endpoint (else PermissionDenied naming the right one),
/// admin calls only from loopback unless allowed, and the endpoint's key: missing is Unauthenticated, wrong is
/// WrongKey (gRPC PERMISSION_DENIED, HTTP 401). The gRPC edge reads the key from <c>x-api-key</c>; the HTTP edge from
/// <c>Authorization: Bearer</c> (or <c>x-api-key</c>).
/// </summary>
public sealed class AccessPolicy(EndpointRoles endpoints, IOptions<ServerOptions> options)
{
    private readonly ApiKey? _servingKey = ApiKey.From(options.Value.ApiKey);
    private readonly ApiKey? _adminKey = ApiKey.From(options.Value.AdminApiKey);
    private readonly bool _allowRemoteAdmin = options.Value.AllowRemoteAdmin;

    /// <summary>Null when the call may run; otherwise why not.</summary>
    /// <param name="api">What is called, for messages ("peft.v1.Adapters", "POST /v1/load_lora_adapter").</param>
    /// <param name="arrivedOn">The role of the endpoint the call arrived on.</param>
    /// <param name="owner">The role the called API belongs to.</param>
    /// <param name="presentedKey">The key the caller sent, if any.</param>
    /// <param name="keyHeader">Where this edge reads the key from, for messages.</param>
    internal ApiException? Check(string api, EndpointRole? arrivedOn, EndpointRole owner, IPAddress? remote, string? presentedKey, string keyHeader)
    {
        if (arrivedOn != owner)
            return ApiErrors.Denied(owner == EndpointRole.Admin
                ? $"{api} is an admin API: call it on the admin endpoint ({endpoints.Describe(EndpointRole.Admin)}) with the admin key"
                : $"{api} is served on the serving endpoint ({endpoints.Describe(EndpointRole.Serving)}), not this one");
        if (owner == EndpointRole.Admin)
        {
            if (!_allowRemoteAdmin && remote is not null && !IPAddress.IsLoopback(remote))
                return ApiErrors.Denied("the admin API accepts calls from this machine only (Server:AllowRemoteAdmin is false)");
            if (_adminKey is null)
                return ApiErrors.Denied("the admin API is disabled: the server has no Server:AdminApiKey configured");
            return CheckKey(_adminKey, presentedKey, "admin", keyHeader);
        }
        return _servingKey is null ? null : CheckKey(_servingKey, presentedKey, "serving", keyHeader);
    }

    private static ApiException? CheckKey(ApiKey key, string? presented, string which, string keyHeader)
    {
        if (string.IsNullOrEmpty(presented))
            return ApiErrors.Unauthenticated($"this {which} API requires an API key in the {keyHeader} header");
        return key.Matches(presented) ? null : ApiErrors.WrongKey($"the {keyHeader} header does not hold the {which} API key");
    }
}
