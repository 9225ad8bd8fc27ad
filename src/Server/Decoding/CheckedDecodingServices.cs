using Grpc.AspNetCore.Server.Model;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Peft.Server.Decoding;

/// <summary>Wires <see cref="CheckedMethodProvider{TService}"/> in place of grpc-dotnet's method providers.</summary>
internal static class CheckedDecodingServices
{
    /// <summary>Call after AddGrpc. Every service is mapped from its generated base (MapGrpcService), none from a
    /// ServerServiceDefinition, so grpc-dotnet's providers are replaced, not joined: two would map each method twice.</summary>
    public static IServiceCollection AddCheckedGrpcDecoding(this IServiceCollection services)
    {
        services.RemoveAll(typeof(IServiceMethodProvider<>));
        services.AddSingleton(typeof(IServiceMethodProvider<>), typeof(CheckedMethodProvider<>));
        return services;
    }
}
