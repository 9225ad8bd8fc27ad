namespace Peft.Server.Security;

/// <summary>Endpoint metadata: the role a gRPC service belongs to. Services without it (health, reflection) are
/// answered on the serving and admin endpoints, without a key.</summary>
public sealed record ApiSurface(EndpointRole Role);
