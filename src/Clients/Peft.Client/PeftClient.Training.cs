using System.Runtime.CompilerServices;
using Google.Protobuf;
using Grpc.Core;
using Peft.Protos.V1;

namespace Peft.Client;

public sealed partial class PeftClient
{
    private Training.TrainingClient TrainingClient => new(_admin);

    /// <summary>
    /// Starts a training job. <paramref name="request"/> carries the method and hyperparameters; the local JSONL
    /// files are streamed in <see cref="UploadChunkBytes"/> chunks, so datasets of any size under the server's cap go.
    /// (To train on files already on the server, set train_path in the request and call <see cref="StartTrainingAsync(StartTrainingRequest, CancellationToken)"/>.)
    /// </summary>
    public async Task<TrainingJob> StartTrainingAsync(StartTrainingRequest request, string trainFile, string? validationFile, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(trainFile);
        foreach (var file in new[] { trainFile, validationFile }.OfType<string>())
            if (!File.Exists(file)) throw new FileNotFoundException($"{file} does not exist", file);

        using var call = TrainingClient.StartTrainingUpload(deadline: Deadline(null), cancellationToken: cancellationToken);
        try
        {
            await call.RequestStream.WriteAsync(new TrainingUploadChunk { Header = request }, cancellationToken);
            await SendAsync(call.RequestStream, trainFile, data => new TrainingUploadChunk { TrainData = data }, cancellationToken);
            if (validationFile is not null)
                await SendAsync(call.RequestStream, validationFile, data => new TrainingUploadChunk { ValidationData = data }, cancellationToken);
            await call.RequestStream.CompleteAsync();
        }
        catch (Exception e) when (e is RpcException or InvalidOperationException && !cancellationToken.IsCancellationRequested)
        {
            // The server ended the call early (it refused the request); its status is the call's result below.
        }
        return await call.ResponseAsync;
    }

    /// <summary>Starts a training job whose data is inline in the request or a path under the server's data root.</summary>
    public async Task<TrainingJob> StartTrainingAsync(StartTrainingRequest request, CancellationToken cancellationToken = default) =>
        await TrainingClient.StartTrainingAsync(request, deadline: Deadline(null), cancellationToken: cancellationToken);

    /// <summary>The job's state, then every optimizer step and state change until it ends.</summary>
    public async IAsyncEnumerable<TrainingEvent> WatchTrainingAsync(string jobId, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        using var call = TrainingClient.WatchTraining(new WatchTrainingRequest { JobId = jobId }, cancellationToken: cancellationToken);
        await foreach (var e in call.ResponseStream.ReadAllAsync(cancellationToken)) yield return e;
    }

    public async Task<TrainingJob> CancelTrainingAsync(string jobId, CancellationToken cancellationToken = default) =>
        await TrainingClient.CancelTrainingAsync(new CancelTrainingRequest { JobId = jobId }, deadline: Deadline(null), cancellationToken: cancellationToken);

    public async Task<IReadOnlyList<TrainingJob>> ListTrainingJobsAsync(CancellationToken cancellationToken = default) =>
        (await TrainingClient.ListTrainingJobsAsync(new ListTrainingJobsRequest(), deadline: Deadline(null), cancellationToken: cancellationToken)).Jobs;

    public async Task<TrainingJob> GetTrainingJobAsync(string jobId, CancellationToken cancellationToken = default) =>
        await TrainingClient.GetTrainingJobAsync(new GetTrainingJobRequest { JobId = jobId }, deadline: Deadline(null), cancellationToken: cancellationToken);

    private static async Task SendAsync(IClientStreamWriter<TrainingUploadChunk> stream, string file, Func<ByteString, TrainingUploadChunk> wrap, CancellationToken cancellationToken)
    {
        var buffer = new byte[UploadChunkBytes];
        await using var input = File.OpenRead(file);
        int read;
        while ((read = await input.ReadAsync(buffer, cancellationToken)) > 0)
            await stream.WriteAsync(wrap(ByteString.CopyFrom(buffer, 0, read)), cancellationToken);
    }
}
