using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using Grpc.AspNetCore.Server.Model;
using Grpc.Core;

namespace Peft.Server.Decoding;

/// <summary>
/// Adds each method a generated <c>BindService</c> declares to the endpoint model, with a request marshaller that
/// refuses undecodable messages (<see cref="CheckedDecoding"/>).
/// </summary>
internal sealed class CheckedServiceBinder<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.All)] TService>(
    ServiceMethodProviderContext<TService> context, Type generatedBase) : ServiceBinderBase where TService : class
{
    public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, UnaryServerMethod<TRequest, TResponse>? handler)
    {
        var (invoker, metadata) = Model<UnaryServerMethod<TService, TRequest, TResponse>>(method.Name, typeof(TRequest), typeof(ServerCallContext));
        context.AddUnaryMethod(CheckedDecoding.Of(method), metadata, invoker);
    }

    public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, ServerStreamingServerMethod<TRequest, TResponse>? handler)
    {
        var (invoker, metadata) = Model<ServerStreamingServerMethod<TService, TRequest, TResponse>>(method.Name,
            typeof(TRequest), typeof(IServerStreamWriter<TResponse>), typeof(ServerCallContext));
        context.AddServerStreamingMethod(CheckedDecoding.Of(method), metadata, invoker);
    }

    public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, ClientStreamingServerMethod<TRequest, TResponse>? handler)
    {
        var (invoker, metadata) = Model<ClientStreamingServerMethod<TService, TRequest, TResponse>>(method.Name,
            typeof(IAsyncStreamReader<TRequest>), typeof(ServerCallContext));
        context.AddClientStreamingMethod(CheckedDecoding.Of(method), metadata, invoker);
    }

    public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, DuplexStreamingServerMethod<TRequest, TResponse>? handler)
    {
        var (invoker, metadata) = Model<DuplexStreamingServerMethod<TService, TRequest, TResponse>>(method.Name,
            typeof(IAsyncStreamReader<TRequest>), typeof(IServerStreamWriter<TResponse>), typeof(ServerCallContext));
        context.AddDuplexStreamingMethod(CheckedDecoding.Of(method), metadata, invoker);
    }

    /// <summary>The method's invoker (the service's override, on the instance grpc-dotnet activates per call) and the
    /// endpoint metadata grpc-dotnet gives it: the service's attributes, then the method's, then POST.</summary>
    private (TDelegate Invoker, List<object> Metadata) Model<TDelegate>(string name, params Type[] parameters) where TDelegate : Delegate
    {
        var handler = Override(name, parameters) ?? throw new InvalidOperationException($"{typeof(TService)} does not override {generatedBase.Name}.{name}");
        List<object> metadata = [.. typeof(TService).GetCustomAttributes(inherit: true), .. handler.GetCustomAttributes(inherit: true)];
        metadata.Add(new HttpMethodMetadata(["POST"], acceptCorsPreflight: true));
        return ((TDelegate)Delegate.CreateDelegate(typeof(TDelegate), handler), metadata);
    }

    /// <summary>The most derived public instance method that overrides the generated base's virtual method (a method
    /// of the same name that hides it is skipped).</summary>
    private MethodInfo? Override(string name, Type[] parameters)
    {
        for (var type = typeof(TService); type is not null; type = type.BaseType)
        {
            var method = type.GetMethod(name, BindingFlags.Public | BindingFlags.Instance, parameters);
            if (method is null) return null;
            if (method.IsVirtual && method.GetBaseDefinition().DeclaringType == generatedBase) return method;
        }
        return null;
    }
}
