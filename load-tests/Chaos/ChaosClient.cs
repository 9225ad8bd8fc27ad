using Google.Protobuf;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;
using Peft.Protos.V1;

namespace Peft.LoadTests.Chaos;

/// <summary>The generated gRPC clients of both endpoints, the admin key attached to admin calls.</summary>
internal sealed class ChaosClient : IDisposable
{
    private static readonly TimeSpan CallTimeout = TimeSpan.FromMinutes(2);
    private readonly Metadata _adminKey = new() { { "x-api-key", ChaosEnvironment.AdminKey } };

    public ChaosClient(Uri serving, Uri admin)
    {
        ServingChannel = GrpcChannel.ForAddress(serving, new GrpcChannelOptions
        {
            HttpHandler = new SocketsHttpHandler { EnableMultipleHttp2Connections = true },
            MaxSendMessageSize = 16 << 20,
        });
        AdminChannel = GrpcChannel.ForAddress(admin, new GrpcChannelOptions { MaxSendMessageSize = 16 << 20 });
        Generation = new Generation.GenerationClient(ServingChannel);
        Adapters = new Adapters.AdaptersClient(AdminChannel);
        Training = new Training.TrainingClient(AdminChannel);
    }

    public GrpcChannel ServingChannel { get; }
    public GrpcChannel AdminChannel { get; }
    public Generation.GenerationClient Generation { get; }
    public Adapters.AdaptersClient Adapters { get; }
    public Training.TrainingClient Training { get; }
    public Metadata AdminKey => _adminKey;

    private static DateTime Deadline => DateTime.UtcNow + CallTimeout;

    /// <summary>"Serving", "NotServing", or "Unreachable" when the call itself fails.</summary>
    public async Task<string> HealthAsync()
    {
        try
        {
            var reply = await new Health.HealthClient(ServingChannel).CheckAsync(new HealthCheckRequest(), deadline: DateTime.UtcNow.AddSeconds(5));
            return reply.Status.ToString();
        }
        catch (RpcException)
        {
            return "Unreachable";
        }
    }

    /// <summary>A greedy stream: its status, tokens and the adapter version of its first chunk.</summary>
    public async Task<Outcome> GenerateAsync(string adapter, IReadOnlyList<int> prompt, int maxNewTokens, CancellationToken cancellationToken = default)
    {
        var request = new GenerateRequest
        {
            AdapterId = adapter,
            TokenIds = new TokenIds(),
            Sampling = new SamplingParams { MaxNewTokens = (uint)maxNewTokens, IgnoreEos = true },
        };
        request.TokenIds.Ids.Add(prompt);
        return await GenerateAsync(request, cancellationToken);
    }

    public async Task<Outcome> GenerateAsync(GenerateRequest request, CancellationToken cancellationToken = default)
    {
        var tokens = new List<int>();
        string? version = null;
        try
        {
            using var call = Generation.GenerateStream(request, deadline: Deadline, cancellationToken: cancellationToken);
            await foreach (var chunk in call.ResponseStream.ReadAllAsync(cancellationToken))
            {
                version ??= chunk.AdapterVersion;
                tokens.AddRange(chunk.TokenIds);
                if (chunk.FinishReason != FinishReason.Unspecified) return new Outcome(StatusCode.OK, "", tokens, version);
            }
            return new Outcome(StatusCode.Internal, "the stream ended without a finish reason", tokens, version);
        }
        catch (RpcException e)
        {
            return new Outcome(e.StatusCode, e.Status.Detail, tokens, version);
        }
    }

    public Task<Outcome<AdapterInfo>> LoadAsync(string id, string path, bool replace = false) =>
        Call(() => Adapters.LoadAdapterAsync(new LoadAdapterRequest { AdapterId = id, Path = path, Replace = replace }, _adminKey, Deadline).ResponseAsync);

    public Task<Outcome<UnloadAdapterResponse>> UnloadAsync(string id) =>
        Call(() => Adapters.UnloadAdapterAsync(new UnloadAdapterRequest { AdapterId = id }, _adminKey, Deadline).ResponseAsync);

    public async Task<IReadOnlyList<AdapterInfo>> ListAsync() =>
        (await Adapters.ListAdaptersAsync(new ListAdaptersRequest(), _adminKey, Deadline)).Adapters;

    /// <summary>Streams an adapter directory's two files in chunks of <paramref name="chunk"/> bytes.</summary>
    public Task<Outcome<AdapterInfo>> UploadAsync(string id, string directory, bool replace = false, int chunk = 16 << 10) => Call(async () =>
    {
        using var call = Adapters.UploadAdapter(_adminKey, Deadline);
        await call.RequestStream.WriteAsync(new UploadAdapterChunk { Header = new UploadHeader { AdapterId = id, Replace = replace } });
        foreach (string name in (string[])["adapter_config.json", "adapter_model.safetensors"])
        {
            byte[] bytes = await File.ReadAllBytesAsync(Path.Combine(directory, name));
            for (int offset = 0; offset == 0 || offset < bytes.Length; offset += chunk)
            {
                var data = ByteString.CopyFrom(bytes, offset, Math.Min(chunk, bytes.Length - offset));
                await call.RequestStream.WriteAsync(new UploadAdapterChunk { File = new FileChunk { FileName = name, Data = data } });
            }
        }
        await call.RequestStream.CompleteAsync();
        return await call.ResponseAsync;
    });

    public Task<Outcome<TrainingJob>> StartTrainingAsync(StartTrainingRequest request) =>
        Call(() => Training.StartTrainingAsync(request, _adminKey, Deadline).ResponseAsync);

    public async Task<IReadOnlyList<TrainingJob>> ListJobsAsync() =>
        (await Training.ListTrainingJobsAsync(new ListTrainingJobsRequest(), _adminKey, Deadline)).Jobs;

    public Task<Outcome<TrainingJob>> GetJobAsync(string jobId) =>
        Call(() => Training.GetTrainingJobAsync(new GetTrainingJobRequest { JobId = jobId }, _adminKey, Deadline).ResponseAsync);

    private static async Task<Outcome<T>> Call<T>(Func<Task<T>> call)
    {
        try
        {
            return new Outcome<T>(StatusCode.OK, "", await call());
        }
        catch (RpcException e)
        {
            return new Outcome<T>(e.StatusCode, e.Status.Detail, default);
        }
        catch (Exception e) when (e is IOException or HttpRequestException or InvalidOperationException)
        {
            return new Outcome<T>(StatusCode.Unavailable, e.Message, default);
        }
    }

    public void Dispose()
    {
        ServingChannel.Dispose();
        AdminChannel.Dispose();
    }
}

/// <summary>A generation's status, tokens and serving adapter version ("" for the base model).</summary>
internal sealed record Outcome(StatusCode Status, string Detail, IReadOnlyList<int> Tokens, string? Version)
{
    public bool Ok => Status == StatusCode.OK;
}

internal sealed record Outcome<T>(StatusCode Status, string Detail, T? Value)
{
    public bool Ok => Status == StatusCode.OK;

    public override string ToString() => Ok ? "OK" : $"{Status}: {Detail}";
}
