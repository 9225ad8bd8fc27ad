using Peft.Runtime.Storage;
using Peft.Runtime.Training.Datasets;
using Peft.Runtime.Training.Methods;
using Peft.Runtime.Training.Output;
using static TorchSharp.torch;

namespace Peft.Runtime.Training.Jobs;

/// <summary>
/// The part of the manager that runs on the engine thread, one micro-batch per unit. Its failure boundary: anything
/// that goes wrong while a job prepares, trains, checkpoints or writes its adapter fails that job (state Failed, the
/// reason in its error) and nothing else; a record that cannot be saved (a full disk) is noted in the job's error
/// and never thrown, so no failure of a job can reach the engine thread.
/// </summary>
public sealed partial class TrainingJobManager
{
    private ActiveJob? _active;
    private Preparing? _preparing;

    /// <summary>A unit is ready: a job trains, a job's data is read and waits for its trainer, or a job waits to
    /// start reading. While data is read (off the engine thread) there is nothing to run.</summary>
    public bool HasWork => _active is not null || _preparing is { Data.IsCompleted: true } || (_preparing is null && !_queue.IsEmpty);

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
                {
                    string checkpoint = Path.Combine(job.Directory, CheckpointDirectory);
                    _options.Writes.BeforeWrite(checkpoint);
                    active.Trainer.SaveCheckpoint(checkpoint);
                }
            }
            if (active.Trainer.IsDone) Complete(active);
        }
#pragma warning disable CA1031 // The job's boundary: whatever fails in it fails the job, never the engine.
        catch (Exception e)
#pragma warning restore CA1031
        {
            Finish(TrainingJobState.Failed, $"training failed: {Describe(e)}");
        }
    }

    /// <summary>The engine stopped running this work after <see cref="RunUnit"/> threw (it should not): the active
    /// job fails and new jobs are refused, because the manager's state can no longer be trusted.</summary>
    public void Fault(Exception error)
    {
        ArgumentNullException.ThrowIfNull(error);
        _fault = $"training stopped after an internal fault: {error.Message}";
        if (_active is { } active)
        {
            _active = null;
            TryDispose(active);
            Finish(active.Job, TrainingJobState.Failed, _fault);
        }
        if (_preparing is { } preparing)
        {
            _preparing = null;
            Finish(preparing.Job, TrainingJobState.Failed, _fault);
        }
        while (_queue.TryDequeue(out var queued)) Finish(queued, TrainingJobState.Failed, _fault);
    }

    /// <summary>
    /// Moves the next job towards training: its data is read and tokenized on a pool thread (a dataset of hundreds of
    /// megabytes would otherwise stall serving for as long), then its trainer is built here, on the engine thread,
    /// where tensors are made. True when a job is active.
    /// </summary>
    private bool TryActivate()
    {
        if (_preparing is { } preparing)
        {
            if (!preparing.Data.IsCompleted) return false;
            _preparing = null;
            return Start(preparing.Job, preparing.Data);
        }
        while (_queue.TryDequeue(out var job))
        {
            if (job.State != TrainingJobState.Queued || job.CancelRequested)
            {
                if (!job.State.IsTerminal()) Finish(job, TrainingJobState.Cancelled, null);
                continue;
            }
            var data = Task.Run(() => ReadData(job), job.Cancellation);
            _preparing = new Preparing(job, data);
            data.ContinueWith(_ => _notify?.Invoke(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            return false;
        }
        return false;
    }

    private (IReadOnlyList<TrainingExample> Train, IReadOnlyList<TrainingExample> Eval) ReadData(TrainingJob job)
    {
        var train = ReadExamples(job, TrainFile, required: true);
        var eval = ReadExamples(job, EvalFile, required: false);
        return eval.Count == 0 && job.Spec.ValidationFraction > 0 ? Split(train, job.Spec.ValidationFraction, job.Spec.Trainer.Seed) : (train, eval);
    }

    /// <summary>Builds the trainer of a job whose data is read. True when it is active; a job that cannot start
    /// fails (or, cancelled meanwhile, is cancelled), and the next one is tried at the next unit.</summary>
    private bool Start(TrainingJob job, Task<(IReadOnlyList<TrainingExample> Train, IReadOnlyList<TrainingExample> Eval)> data)
    {
        if (job.CancelRequested || data.IsCanceled)
        {
            Finish(job, TrainingJobState.Cancelled, null);
            return false;
        }
        ActiveJob? active = null;
        TrainableAdapter? adapter = null;
        try
        {
            var (train, eval) = data.GetAwaiter().GetResult();
            manual_seed(job.Spec.Trainer.Seed);
            adapter = job.Spec.Method.Create(Context());
            active = new ActiveJob(job, adapter, new AdapterTrainer(_model, adapter, train, eval, job.Spec.Trainer));
            string checkpoint = Path.Combine(job.Directory, CheckpointDirectory);
            bool resumed = Directory.Exists(checkpoint);
            if (resumed) active.Trainer.LoadCheckpoint(checkpoint);
            // Durable first: a job whose Running record cannot be written does not start.
            SaveRecord(job, job.Snapshot() with { State = TrainingJobState.Running });
            job.MoveTo(TrainingJobState.Running, _time.GetUtcNow());
            _active = active;
            if (!resumed && active.Trainer.Baseline() is { } baseline) job.Report(baseline);
            return true;
        }
#pragma warning disable CA1031 // A job that cannot start fails, whatever the reason; the next one is tried.
        catch (Exception e)
#pragma warning restore CA1031
        {
            if (ReferenceEquals(_active, active)) _active = null;
            if (active is not null) TryDispose(active);
            else adapter?.Dispose();
            Finish(job, TrainingJobState.Failed, e is TrainingJobException or DatasetException or Adapters.AdapterLoadException ? e.Message : $"the job could not start: {Describe(e)}");
            return false;
        }
    }

    private IReadOnlyList<TrainingExample> ReadExamples(TrainingJob job, string file, bool required)
    {
        string path = Path.Combine(job.Directory, file);
        if (!File.Exists(path))
            return required ? throw new TrainingJobException(TrainingJobError.FailedPrecondition, $"the job's {file} is missing") : [];
        using var stream = File.OpenRead(path);
        return JsonlDataset.Read(stream, _tokenizer!, job.Spec.Dataset, file, job.Cancellation);
    }

    /// <summary>Writes the adapter (atomically), then stores and registers it off the engine thread.</summary>
    private void Complete(ActiveJob active)
    {
        var job = active.Job;
        string output = Path.Combine(job.Directory, OutputDirectory);
        _options.Writes.BeforeWrite(output);
        if (Directory.Exists(output)) Directory.Delete(output, recursive: true);
        active.Adapter.BaseModelPath = _options.BaseModelName;
        PeftAdapterWriter.Write(active.Adapter, output);
        SaveRecord(job, job.Snapshot() with { State = TrainingJobState.Registering });
        job.MoveTo(TrainingJobState.Registering, _time.GetUtcNow());
        _active = null;
        TryDispose(active);
        _ = Task.Run(() => RegisterAsync(job, output));
    }

    private async Task RegisterAsync(TrainingJob job, string output)
    {
        try
        {
            await using var upload = _registry.Store.BeginUpload(job.Spec.AdapterId);
            foreach (var file in new[] { Adapters.AdapterFiles.ConfigFile, Adapters.AdapterFiles.WeightsFile })
                await upload.WriteAsync(file, await File.ReadAllBytesAsync(Path.Combine(output, file)));
            var version = await _registry.RegisterUploadAsync(upload, job.Spec.Replace);
            Finish(job, TrainingJobState.Succeeded, null, version.ContentHash);
        }
#pragma warning disable CA1031 // Runs detached from any caller: every failure ends in the job's state, none is lost.
        catch (Exception e)
#pragma warning restore CA1031
        {
            Finish(job, TrainingJobState.Failed, $"the trained adapter could not be registered: {Describe(e)}");
        }
        string checkpoint = Path.Combine(job.Directory, CheckpointDirectory);
        TryDeleteDirectory(checkpoint);
    }

    private void Finish(TrainingJobState state, string? error)
    {
        var active = _active!;
        _active = null;
        TryDispose(active);
        Finish(active.Job, state, error);
    }

    /// <summary>
    /// Ends a job: its record first, then its state in memory, then watchers, logs and metrics. Never throws: a
    /// record that cannot be written (a full disk) is named in the job's error; after a restart such a job is
    /// found in its last saved state and, if that was unfinished, runs again.
    /// </summary>
    private void Finish(TrainingJob job, TrainingJobState state, string? error, string? adapterVersion = null)
    {
        var now = _time.GetUtcNow();
        var ending = job.Snapshot() with { State = state, Error = error ?? job.Snapshot().Error, AdapterVersion = adapterVersion, FinishedAt = now };
        try
        {
            SaveRecord(job, ending);
        }
#pragma warning disable CA1031 // See the summary: the job still ends, in memory, with the reason.
        catch (Exception e)
#pragma warning restore CA1031
        {
            error = $"{error ?? state.ToString().ToLowerInvariant()}; its record could not be saved ({Describe(e)}), so after a restart it shows its last saved state";
        }
        job.MoveTo(state, now, error, adapterVersion);
        if (job.State == state) JobFinished?.Invoke(job.Snapshot());
    }

    private static void TryDispose(ActiveJob active)
    {
        try
        {
            active.Dispose();
        }
#pragma warning disable CA1031 // Freeing tensors of a job that is ending anyway must not end anything else.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }

    private static string Describe(Exception e) => DiskFull.Is(e) ? $"the disk is full ({e.Message})" : e.Message;

    private sealed record Preparing(TrainingJob Job, Task<(IReadOnlyList<TrainingExample> Train, IReadOnlyList<TrainingExample> Eval)> Data);

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
