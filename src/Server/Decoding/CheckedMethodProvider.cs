using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using Grpc.AspNetCore.Server.Model;
using Grpc.Core;

namespace Peft.Server.Decoding;

/// <summary>
/// Finds a generated gRPC service's methods the way grpc-dotnet's own provider does (the <c>BindService</c> method its
/// <see cref="BindServiceMethodAttribute"/> names), and adds each with <see cref="CheckedDecoding"/>'s marshaller.
/// Registered in place of grpc-dotnet's provider (<see cref="CheckedDecodingServices"/>), for every service mapped.
/// </summary>
internal sealed class CheckedMethodProvider<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.All)] TService>
    : IServiceMethodProvider<TService> where TService : class
{
    public void OnServiceMethodDiscovery(ServiceMethodProviderContext<TService> context)
    {
        for (var type = typeof(TService); type is not null; type = type.BaseType)
        {
            if (type.GetCustomAttribute<BindServiceMethodAttribute>() is not { } bind) continue;
            var method = bind.BindType.GetMethod(bind.BindMethodName, BindingFlags.Public | BindingFlags.Static, [typeof(ServiceBinderBase), type])
                ?? throw new InvalidOperationException($"{bind.BindType} has no {bind.BindMethodName}(ServiceBinderBase, {type.Name})");
            // The generated base whose virtual methods the service overrides is BindService's second parameter.
            var generatedBase = method.GetParameters()[1].ParameterType;
            method.Invoke(null, [new CheckedServiceBinder<TService>(context, generatedBase), null]);
            return;
        }
    }
}
