using Google.Protobuf;
using Grpc.Core;
using Peft.Protos.V1;
using Peft.Server.Errors;
using Peft.Server.Hosting;

namespace Peft.Server.Services;

/// <summary>peft.v1.Training on the admin endpoint: starts, watches, cancels and lists adapter training jobs.</summary>
internal sealed class TrainingService(ModelHost host, ILogger<TrainingService> logger) : Training.TrainingBase
{
    public override async Task<TrainingJob> StartTraining(StartTrainingRequest request, ServerCallContext context)
    {
        var model = host.Require();
        var spec = TrainingMapper.Spec(request, model.Model.Config.Family);
        byte[] train = request.DatasetCase switch
        {
            StartTrainingRequest.DatasetOneofCase.TrainJsonl => request.TrainJsonl.ToByteArray(),
            StartTrainingRequest.DatasetOneofCase.TrainPath => model.Training.ReadDataFile(request.TrainPath),
            _ => throw ApiErrors.Invalid("no training data: set train_jsonl (inline JSONL) or train_path (under the data root), or use StartTrainingUpload"),
        };
        byte[]? validation = request.ValidationCase switch
        {
            StartTrainingRequest.ValidationOneofCase.ValidationJsonl => request.ValidationJsonl.ToByteArray(),
            StartTrainingRequest.ValidationOneofCase.ValidationPath => model.Training.ReadDataFile(request.ValidationPath),
            _ => null,
        };
        return await StartAsync(model, spec, train, validation, context.CancellationToken);
    }

    public override async Task<TrainingJob> StartTrainingUpload(IAsyncStreamReader<TrainingUploadChunk> requestStream, ServerCallContext context)
    {
        var model = host.Require();
        if (!await requestStream.MoveNext(context.CancellationToken))
            throw ApiErrors.Invalid("the upload is empty: send the StartTrainingRequest header first, then the data");
        if (requestStream.Current.PartCase != TrainingUploadChunk.PartOneofCase.Header)
            throw ApiErrors.Invalid("the first message of a training upload must be its header, before any data");
        var spec = TrainingMapper.Spec(requestStream.Current.Header, model.Model.Config.Family);
        long limit = model.Training.MaxDatasetBytes;
        using var train = new MemoryStream();
        using var validation = new MemoryStream();
        while (await requestStream.MoveNext(context.CancellationToken))
        {
            var chunk = requestStream.Current;
            var (target, data, name) = chunk.PartCase switch
            {
                TrainingUploadChunk.PartOneofCase.TrainData => (train, chunk.TrainData, "training"),
                TrainingUploadChunk.PartOneofCase.ValidationData => (validation, chunk.ValidationData, "validation"),
                TrainingUploadChunk.PartOneofCase.Header => throw ApiErrors.Invalid("a training upload has one header, and it comes first"),
                _ => throw ApiErrors.Invalid("an upload message carries neither a header nor data"),
            };
            if (target.Length + data.Length > limit)
                throw ApiErrors.Exhausted($"the {name} data would reach {target.Length + data.Length} bytes, over the {limit}-byte limit (Training:MaxDatasetBytes)");
            data.WriteTo(target);
        }
        if (train.Length == 0) throw ApiErrors.Invalid("the upload carried no training data");
        return await StartAsync(model, spec, train.ToArray(), validation.Length == 0 ? null : validation.ToArray(), context.CancellationToken);
    }

    public override async Task WatchTraining(WatchTrainingRequest request, IServerStreamWriter<TrainingEvent> responseStream, ServerCallContext context)
    {
        var job = host.Require().Training.Get(request.JobId);
        await foreach (var e in job.Watch().ReadAllAsync(context.CancellationToken))
        {
            var message = new TrainingEvent { Job = TrainingMapper.Job(e.Job) };
            if (e.Progress is { } p) message.Progress = TrainingMapper.Progress(p);
            await responseStream.WriteAsync(message, context.CancellationToken);
        }
    }

    public override Task<TrainingJob> CancelTraining(CancelTrainingRequest request, ServerCallContext context)
    {
        var training = host.Require().Training;
        training.Cancel(request.JobId);
        ServerLog.TrainingCancelled(logger, request.JobId);
        return Task.FromResult(TrainingMapper.Job(training.Get(request.JobId).Snapshot()));
    }

    public override Task<ListTrainingJobsResponse> ListTrainingJobs(ListTrainingJobsRequest request, ServerCallContext context)
    {
        var response = new ListTrainingJobsResponse();
        response.Jobs.Add(host.Require().Training.List().Select(TrainingMapper.Job));
        return Task.FromResult(response);
    }

    public override Task<TrainingJob> GetTrainingJob(GetTrainingJobRequest request, ServerCallContext context)
    {
        var job = host.Require().Training.Get(request.JobId);
        var response = TrainingMapper.Job(job.Snapshot());
        response.History.Add(job.History().Select(TrainingMapper.Progress));
        return Task.FromResult(response);
    }

    private async Task<TrainingJob> StartAsync(LoadedModel model, Runtime.Training.Jobs.TrainingJobSpec spec, byte[] train, byte[]? validation, CancellationToken cancellationToken)
    {
        var info = await model.Training.StartAsync(spec, train, validation, cancellationToken);
        ServerLog.TrainingQueued(logger, info.JobId, spec.AdapterId, TrainingMapper.Job(info).PeftType);
        return TrainingMapper.Job(info);
    }
}
