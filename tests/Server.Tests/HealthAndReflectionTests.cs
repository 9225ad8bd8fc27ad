using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Reflection.V1Alpha;
using Peft.Server.Hosting;
using Peft.Server.Tests.Support;

namespace Peft.Server.Tests;

public sealed class PlainServer : SharedServer;

/// <summary>The standard health service and server reflection, so grpcurl-style tools work.</summary>
public sealed class HealthAndReflectionTests(PlainServer fixture) : IClassFixture<PlainServer>
{
    [Fact]
    public async Task Health_reports_serving_once_the_model_is_warmed_up()
    {
        var reply = await new Health.HealthClient(fixture.Server.Channel).CheckAsync(new HealthCheckRequest(), deadline: DateTime.UtcNow.AddSeconds(10));

        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, reply.Status);
        Assert.Equal(ServingState.Ready, ((ModelHost)fixture.Server.Services.GetService(typeof(ModelHost))!).State);
        Assert.Equal("127.0.0.1", fixture.Server.Address.Host);
        Assert.Equal("127.0.0.1", fixture.Server.AdminAddress.Host);
    }

    [Fact]
    public async Task Reflection_lists_the_services_and_describes_the_contract()
    {
        var reflection = new ServerReflection.ServerReflectionClient(fixture.Server.Channel);
        using var call = reflection.ServerReflectionInfo(deadline: DateTime.UtcNow.AddSeconds(10));

        await call.RequestStream.WriteAsync(new ServerReflectionRequest { ListServices = "" });
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
        var services = call.ResponseStream.Current.ListServicesResponse.Service.Select(s => s.Name).ToList();

        await call.RequestStream.WriteAsync(new ServerReflectionRequest { FileContainingSymbol = "peft.v1.Generation" });
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
        var file = call.ResponseStream.Current.FileDescriptorResponse;
        await call.RequestStream.CompleteAsync();

        Assert.Contains("peft.v1.Generation", services);
        Assert.Contains("peft.v1.Adapters", services);
        Assert.Contains("grpc.health.v1.Health", services);
        Assert.NotEmpty(file.FileDescriptorProto);
    }
}
