using Grpc.Core;
using Peft.Server.Tests.Support;
using Peft.Testing;

namespace Peft.Server.Tests;

/// <summary>
/// Messages that do not decode (issue 11, item 7), sent as raw bytes through a real gRPC channel: with the endpoint's
/// key they are INVALID_ARGUMENT naming the problem, on every kind of call; without it the answer is the one any
/// message gets (the key is checked before a byte is decoded), and everyone else is still served.
/// </summary>
public sealed partial class AccessTests
{
    private static readonly Marshaller<byte[]> Raw = Marshallers.Create(b => b, b => b);

    /// <summary>Field 1, a string in every request below, declared 10 bytes long with 2 sent.</summary>
    private static readonly byte[] Truncated = [0x0A, 0x0A, (byte)'a', (byte)'b'];

    /// <summary>Field 1, a string, holding 0xC3 0x28 (a lead byte followed by no continuation byte).</summary>
    private static readonly byte[] BadUtf8 = [0x0A, 0x02, 0xC3, 0x28];

    /// <summary>Field 1 (the upload's header message) wrapping <paramref name="inner"/>.</summary>
    private static byte[] InHeader(byte[] inner) => [0x0A, (byte)inner.Length, .. inner];

    public static TheoryData<string, string, bool> Undecodable => new()
    {
        { "serving", "/peft.v1.Generation/Generate", true },
        { "serving", "/peft.v1.Generation/Generate", false },
        { "serving", "/peft.v1.Generation/GenerateStream", true },
        { "admin", "/peft.v1.Adapters/LoadAdapter", true },
        { "admin", "/peft.v1.Adapters/LoadAdapter", false },
        { "admin", "/peft.v1.Adapters/UploadAdapter", true },
        { "admin", "/peft.v1.Adapters/UploadAdapter", false },
        { "admin", "/peft.v1.Training/StartTraining", false },
        { "serving", "/grpc.health.v1.Health/Check", true },
    };

    [Theory]
    [MemberData(nameof(Undecodable))]
    public async Task An_undecodable_message_with_the_key_is_invalid_argument_naming_the_problem(string endpoint, string method, bool truncated)
    {
        byte[] body = truncated ? Truncated : BadUtf8;
        var e = await Assert.ThrowsAsync<RpcException>(() => Call(endpoint, method, body, KeyFor(endpoint)));

        Assert.True(e.StatusCode == StatusCode.InvalidArgument, $"expected InvalidArgument, got {e.StatusCode}: {e.Status.Detail}");
        Assert.Contains($"message of {method} could not be decoded", e.Status.Detail);
        string problem = truncated ? "input ended unexpectedly" : "invalid UTF-8";
        Assert.True(e.Status.Detail.Contains(problem, StringComparison.Ordinal), $"'{problem}' not in: {e.Status.Detail}");
        using var client = Server.CreateClient(KeyedServer.ServingKey);
        Assert.Equal(8, (await client.GenerateAsync(Requests.Ids())).TokenIds.Count);
    }

    [Theory]
    [InlineData("admin", "/peft.v1.Adapters/LoadAdapter")]
    [InlineData("admin", "/peft.v1.Adapters/UploadAdapter")]
    [InlineData("admin", "/peft.v1.Training/StartTraining")]
    [InlineData("serving", "/peft.v1.Generation/Generate")]
    [InlineData("serving", "/peft.v1.Generation/GenerateStream")]
    public async Task Without_the_key_any_message_gets_the_same_answer_decodable_or_not(string endpoint, string method)
    {
        var valid = await Assert.ThrowsAsync<RpcException>(() => Call(endpoint, method, [], key: null));
        var truncated = await Assert.ThrowsAsync<RpcException>(() => Call(endpoint, method, Truncated, key: null));
        var badUtf8 = await Assert.ThrowsAsync<RpcException>(() => Call(endpoint, method, BadUtf8, key: null));
        var wrongKey = await Assert.ThrowsAsync<RpcException>(() => Call(endpoint, method, Truncated, key: "not-the-key"));

        Assert.Equal(StatusCode.Unauthenticated, valid.StatusCode);
        Assert.All([truncated, badUtf8], e => Assert.Equal(valid.Status, e.Status));
        Assert.Equal(StatusCode.PermissionDenied, wrongKey.StatusCode);
        Assert.DoesNotContain("decode", wrongKey.Status.Detail);
    }

    private string? KeyFor(string endpoint) => endpoint == "admin" ? LoopbackServer.AdminKey : KeyedServer.ServingKey;

    /// <summary>Sends <paramref name="body"/> as the request message of <paramref name="path"/>, by the call kind the
    /// method has, and reads the whole answer.</summary>
    private async Task Call(string endpoint, string path, byte[] body, string? key)
    {
        var invoker = (endpoint == "admin" ? Server.AdminChannel : Server.Channel).CreateCallInvoker();
        var headers = key is null ? null : Key(key);
        var options = new CallOptions(headers, DateTime.UtcNow.AddSeconds(60));
        string[] parts = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        switch (parts[1])
        {
            case "GenerateStream":
                using (var call = invoker.AsyncServerStreamingCall(new Method<byte[], byte[]>(MethodType.ServerStreaming, parts[0], parts[1], Raw, Raw), null, options, body))
                    while (await call.ResponseStream.MoveNext(CancellationToken.None)) { }
                break;
            case "UploadAdapter":
                using (var call = invoker.AsyncClientStreamingCall(new Method<byte[], byte[]>(MethodType.ClientStreaming, parts[0], parts[1], Raw, Raw), null, options))
                {
                    try
                    {
                        await call.RequestStream.WriteAsync(body.Length == 0 ? body : InHeader(body));
                        await call.RequestStream.CompleteAsync();
                    }
                    catch (RpcException)
                    {
                        // A refusal may end the call before the client finishes writing; the answer is the call's status.
                    }
                    await call.ResponseAsync;
                }
                break;
            default:
                await invoker.AsyncUnaryCall(new Method<byte[], byte[]>(MethodType.Unary, parts[0], parts[1], Raw, Raw), null, options, body);
                break;
        }
    }
}
