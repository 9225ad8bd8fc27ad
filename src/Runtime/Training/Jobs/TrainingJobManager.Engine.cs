using Peft.Runtime.Training.Datasets;
using Peft.Runtime.Training.Methods;
using Peft.Runtime.Training.Output;
using static TorchSharp.torch;

namespace Peft.Runtime.Training.Jobs;

/// <summary>The part of the manager that runs on the engine thread, one micro-batch per unit.</summary>
public sealed partial class TrainingJobManager
{
    private ActiveJob? _active;

    public bool HasWork => _active is not null || !_queue.IsEmpty;

    public void RunUnit()
    {
        if (_active is null && !TryActivate()) return;
        var active = _active!;
        var job = active.Job;
        try
        {
            if (job.CancelRequested)
            {
                Finish(TrainingJobState.Cancelled, null);
                return;
            }
            if (active.Trainer.RunMicroBatch() is { } progress)
            {
                job.Report(progress);
                int every = job.Spec.Trainer.CheckpointEvery;
                if (every > 0 && progress.Step % every == 0 && !active.Trainer.IsDone)
                    active.Trainer.SaveCheckpoint(Path.Combine(job.Directory, CheckpointDirectory));
            }
            if (active.Trainer.IsDone) Complete(active);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Finish(TrainingJobState.Failed, $"training failed: {e.Message}");
        }
    }

    /// <summary>Takes the next queued job and builds its trainer (tensors are made here, on the engine thread).</summary>
    private bool TryActivate()
    {
        while (_queue.TryDequeue(out var job))
        {
            if (job.State != TrainingJobState.Queued || job.CancelRequested)
            {
                if (!job.State.IsTerminal()) Finish(job, TrainingJobState.Cancelled, null);
                continue;
            }
            try
            {
                var train = ReadExamples(job, TrainFile, required: true);
                var eval = ReadExamples(job, EvalFile, required: false);
                if (eval.Count == 0 && job.Spec.ValidationFraction > 0)
                    (train, eval) = Split(train, job.Spec.ValidationFraction, job.Spec.Trainer.Seed);
                manual_seed(job.Spec.Trainer.Seed);
                var adapter = job.Spec.Method.Create(Context());
                var trainer = new AdapterTrainer(_model, adapter, train, eval, job.Spec.Trainer);
                string checkpoint = Path.Combine(job.Directory, CheckpointDirectory);
                bool resumed = Directory.Exists(checkpoint);
                if (resumed) trainer.LoadCheckpoint(checkpoint);
                _active = new ActiveJob(job, adapter, trainer);
                job.MoveTo(TrainingJobState.Running, _time.GetUtcNow());
                Save(job);
                if (!resumed && trainer.Baseline() is { } baseline) job.Report(baseline);
                return true;
            }
            catch (Exception e) when (e is TrainingJobException or IOException or ArgumentException or InvalidDataException or Adapters.AdapterLoadException)
            {
                Finish(job, TrainingJobState.Failed, e.Message);
            }
        }
        return false;
    }

    private IReadOnlyList<TrainingExample> ReadExamples(TrainingJob job, string file, bool required)
    {
        string path = Path.Combine(job.Directory, file);
        if (!File.Exists(path))
            return required ? throw new TrainingJobException(TrainingJobError.FailedPrecondition, $"the job's {file} is missing") : [];
        using var stream = File.OpenRead(path);
        return JsonlDataset.Read(stream, _tokenizer!, job.Spec.Dataset, file);
    }

    /// <summary>Writes the adapter (atomically), then stores and registers it off the engine thread.</summary>
    private void Complete(ActiveJob active)
    {
        var job = active.Job;
        string output = Path.Combine(job.Directory, OutputDirectory);
        if (Directory.Exists(output)) Directory.Delete(output, recursive: true);
        active.Adapter.BaseModelPath = _options.BaseModelName;
        PeftAdapterWriter.Write(active.Adapter, output);
        job.MoveTo(TrainingJobState.Registering, _time.GetUtcNow());
        Save(job);
        active.Dispose();
        _active = null;
        _ = Task.Run(() => RegisterAsync(job, output));
    }

    private async Task RegisterAsync(TrainingJob job, string output)
    {
        try
        {
            string stored;
            await using (var upload = _registry.Store.BeginUpload(job.Spec.AdapterId))
            {
                foreach (var file in new[] { Adapters.AdapterFiles.ConfigFile, Adapters.AdapterFiles.WeightsFile })
                    await upload.WriteAsync(file, await File.ReadAllBytesAsync(Path.Combine(output, file)));
                stored = upload.Commit();
            }
            var version = await _registry.RegisterResolvedAsync(job.Spec.AdapterId, stored, job.Spec.Replace);
            job.MoveTo(TrainingJobState.Succeeded, _time.GetUtcNow(), adapterVersion: version.ContentHash);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            job.MoveTo(TrainingJobState.Failed, _time.GetUtcNow(), $"the trained adapter could not be registered: {e.Message}");
        }
        Save(job);
        string checkpoint = Path.Combine(job.Directory, CheckpointDirectory);
        if (Directory.Exists(checkpoint)) Directory.Delete(checkpoint, recursive: true);
    }

    private void Finish(TrainingJobState state, string? error)
    {
        var active = _active!;
        _active = null;
        active.Dispose();
        Finish(active.Job, state, error);
    }

    private void Finish(TrainingJob job, TrainingJobState state, string? error)
    {
        job.MoveTo(state, _time.GetUtcNow(), error);
        Save(job);
    }

    private sealed class ActiveJob(TrainingJob job, TrainableAdapter adapter, AdapterTrainer trainer) : IDisposable
    {
        public TrainingJob Job { get; } = job;
        public TrainableAdapter Adapter { get; } = adapter;
        public AdapterTrainer Trainer { get; } = trainer;

        public void Dispose()
        {
            Trainer.Dispose();
            Adapter.Dispose();
        }
    }
}
