using System.Collections.Concurrent;
using Peft.Runtime.Adapters;
using Peft.Runtime.Adapters.Registry;
using Peft.Runtime.Engine;
using Peft.Runtime.Models;
using Peft.Runtime.Storage;
using Peft.Runtime.Tokenization;
using Peft.Runtime.Training.Datasets;
using Peft.Runtime.Training.Methods;
using Peft.Runtime.Training.Output;
using Peft.Runtime.Validation;

namespace Peft.Runtime.Training.Jobs;

/// <summary>
/// Training jobs on the resident model. Requests are validated (data parsed, line by line) on the caller's thread;
/// the training itself runs on the engine thread as background work, one micro-batch per unit, so serving goes on.
/// Each job lives in its own directory (record, data, checkpoint, output), which is what makes it resumable after a
/// crash. A finished adapter is written atomically, stored, registered and servable at once.
/// </summary>
public sealed partial class TrainingJobManager : IEngineBackgroundWork, IDisposable
{
    private const string TrainFile = "train.jsonl";
    private const string EvalFile = "eval.jsonl";
    private const string CheckpointDirectory = "checkpoint";
    private const string OutputDirectory = "output";

    private readonly CausalLM _model;
    private readonly ModelTokenizer? _tokenizer;
    private readonly AdapterRegistry _registry;
    private readonly TrainingJobOptions _options;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, TrainingJob> _jobs = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<TrainingJob> _queue = new();
    private Action? _notify;
    private volatile string? _fault;

    public TrainingJobManager(CausalLM model, ModelTokenizer? tokenizer, AdapterRegistry registry, TrainingJobOptions options, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _model = model;
        _tokenizer = tokenizer;
        _registry = registry;
        _options = options;
        _time = time ?? TimeProvider.System;
        Directory.CreateDirectory(options.JobsDirectory);
    }

    /// <summary>Raised when a job ends (succeeded, failed or cancelled), on the thread that ended it: the server logs
    /// it and counts it in its metrics.</summary>
    public event Action<TrainingJobInfo>? JobFinished;

    /// <summary>Attaches to the engine that will run the training units.</summary>
    public void Attach(InferenceEngine engine)
    {
        ArgumentNullException.ThrowIfNull(engine);
        _notify = engine.NotifyBackgroundWork;
        engine.AttachBackgroundWork(this);
    }

    /// <summary>Validates the request and queues the job. The data is JSONL bytes (inline or uploaded).</summary>
    public async Task<TrainingJobInfo> StartAsync(TrainingJobSpec spec, byte[] train, byte[]? eval, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(train);
        if (_fault is { } fault) throw new TrainingJobException(TrainingJobError.Unavailable, fault);
        spec = WithDefaults(spec);
        Validate(spec);
        // Parsed here only to refuse bad data now, with line numbers; the engine thread parses the stored copy again.
        await Task.Run(() => Parse(spec, train, eval, cancellationToken), cancellationToken);

        string id = $"job-{_time.GetUtcNow():yyyyMMddHHmmss}-{Guid.NewGuid().ToString("N")[..8]}";
        string directory = Path.Combine(_options.JobsDirectory, id);
        var job = new TrainingJob(id, spec, directory, _time.GetUtcNow(), _options.HistoryLimit);
        try
        {
            _options.Writes.BeforeWrite(directory);
            Directory.CreateDirectory(directory);
            await File.WriteAllBytesAsync(Path.Combine(directory, TrainFile), train, cancellationToken);
            if (eval is not null) await File.WriteAllBytesAsync(Path.Combine(directory, EvalFile), eval, cancellationToken);
            SaveRecord(job, job.Snapshot());
        }
        catch (Exception e) when (DiskFull.Is(e))
        {
            TryDeleteDirectory(directory);
            throw new StorageFullException($"training job not started: the jobs directory's disk is full ({e.Message})", e);
        }
        catch
        {
            // A job refused or cut short here was never listed: it leaves no directory behind either.
            TryDeleteDirectory(directory);
            throw;
        }
        _jobs[id] = job;
        // The job as accepted: an idle engine may start it before this method returns.
        var accepted = job.Snapshot();
        _queue.Enqueue(job);
        _notify?.Invoke();
        return accepted;
    }

    /// <summary>Largest dataset accepted (uploads stop receiving past it).</summary>
    public long MaxDatasetBytes => _options.MaxDatasetBytes;

    /// <summary>Reads a dataset by path under the configured data root.</summary>
    public byte[] ReadDataFile(string path)
    {
        if (_options.DataRoot is null)
            throw new TrainingJobException(TrainingJobError.FailedPrecondition, "this server has no data root configured; send the dataset inline or upload it");
        string? problem = CallerPath.Problem(path) ?? (Path.IsPathRooted(path) ? "is absolute" : null);
        if (problem is not null)
            throw new TrainingJobException(TrainingJobError.InvalidArgument, $"dataset path '{path}' {problem}: name a file relative to the data root");
        var (real, escapes) = CallerPath.Resolve(_options.DataRoot, path);
        if (escapes)
            throw new TrainingJobException(TrainingJobError.PermissionDenied, $"dataset '{path}' is under the data root, but a symbolic link on the way leads outside it");
        if (real is null || !File.Exists(real)) throw new TrainingJobException(TrainingJobError.NotFound, $"dataset '{path}' does not exist under the data root");
        long length = new FileInfo(real).Length;
        if (length > _options.MaxDatasetBytes)
            throw new TrainingJobException(TrainingJobError.ResourceExhausted, $"dataset '{path}' has {length} bytes, over the {_options.MaxDatasetBytes}-byte limit");
        return File.ReadAllBytes(real);
    }

    public TrainingJob Get(string jobId) =>
        _jobs.TryGetValue(jobId, out var job) ? job : throw new TrainingJobException(TrainingJobError.NotFound, $"training job '{jobId}' does not exist");

    public IReadOnlyList<TrainingJobInfo> List() => _jobs.Values.Select(j => j.Snapshot()).OrderBy(j => j.CreatedAt).ToArray();

    /// <summary>Cancels a job; a running one stops within one micro-batch. Returns the state it ends in.</summary>
    public TrainingJobState Cancel(string jobId)
    {
        var job = Get(jobId);
        if (job.State.IsTerminal()) return job.State;
        if (job.State == TrainingJobState.Queued && !ReferenceEquals(_active?.Job, job))
        {
            // Durable first: a cancel that cannot be recorded (a full disk) is refused, and the job stays queued.
            var now = _time.GetUtcNow();
            try
            {
                SaveRecord(job, job.Snapshot() with { State = TrainingJobState.Cancelled, FinishedAt = now });
            }
            catch (Exception e) when (DiskFull.Is(e))
            {
                throw new StorageFullException($"training job '{jobId}' not cancelled: the jobs directory's disk is full ({e.Message})", e);
            }
            job.RequestCancel();
            job.MoveTo(TrainingJobState.Cancelled, now);
            if (job.State == TrainingJobState.Cancelled) JobFinished?.Invoke(job.Snapshot());
        }
        else
        {
            // A running job stops within one micro-batch, on the engine thread, which records it.
            job.RequestCancel();
        }
        _notify?.Invoke();
        return job.State;
    }

    /// <summary>Loads job records after a restart; unfinished jobs are queued again and resume from their checkpoint.</summary>
    public IReadOnlyList<TrainingJobInfo> Recover()
    {
        foreach (var directory in Directory.GetDirectories(_options.JobsDirectory).Order(StringComparer.Ordinal))
        {
            if (JobRecord.Load(directory) is not { } record || _jobs.ContainsKey(record.JobId)) continue;
            var state = record.State is TrainingJobState.Running or TrainingJobState.Registering ? TrainingJobState.Queued : record.State;
            // Made unfinished, then moved to its end: a job made terminal would ignore the move, and with it the
            // record's error, adapter version and finish time.
            var job = new TrainingJob(record.JobId, record.Spec, directory, record.CreatedAt, _options.HistoryLimit);
            // A finished job shows where it ended; an unfinished one reports afresh from its checkpoint.
            if (state.IsTerminal() && record.Progress is { } last) job.Report(last);
            if (state.IsTerminal()) job.MoveTo(state, record.FinishedAt ?? record.CreatedAt, record.Error, record.AdapterVersion);
            _jobs[job.JobId] = job;
            if (state == TrainingJobState.Queued) _queue.Enqueue(job);
        }
        _notify?.Invoke();
        return List().Where(j => j.State == TrainingJobState.Queued).ToArray();
    }

    /// <summary>A max_sequence_length of 0 means: what fits, up to 256 (the model's positions less virtual tokens).</summary>
    private TrainingJobSpec WithDefaults(TrainingJobSpec spec) => spec.Dataset.MaxSequenceLength != 0 ? spec : spec with
    {
        Dataset = spec.Dataset with { MaxSequenceLength = Math.Min(256, _model.Config.MaxPositionEmbeddings - Math.Max(0, spec.Method.VirtualTokens)) },
    };

    private void Validate(TrainingJobSpec spec)
    {
        try
        {
            AdapterId.Validate(spec.AdapterId);
        }
        catch (ArgumentException e)
        {
            throw new TrainingJobException(TrainingJobError.InvalidArgument, e.Message);
        }
        if (!spec.Replace && _registry.List().Any(v => v.Id == spec.AdapterId))
            throw new TrainingJobException(TrainingJobError.AlreadyExists, $"adapter '{spec.AdapterId}' is already registered; pass replace to train a new version of it");
        if (spec.Trainer.Validate() is { } problem) throw new TrainingJobException(TrainingJobError.InvalidArgument, problem);
        if (FiniteNumbers.Problem(("validation_fraction", spec.ValidationFraction)) is { } notFinite)
            throw new TrainingJobException(TrainingJobError.InvalidArgument, notFinite);
        if (spec.ValidationFraction is < 0 or >= 1)
            throw new TrainingJobException(TrainingJobError.InvalidArgument, $"validation_fraction {spec.ValidationFraction} must be in [0, 1)");
        if (spec.Dataset.MaxSequenceLength < 2)
            throw new TrainingJobException(TrainingJobError.InvalidArgument, $"max_sequence_length {spec.Dataset.MaxSequenceLength} must be at least 2");
        if (spec.Method.Problem(Context()) is { } methodProblem) throw new TrainingJobException(TrainingJobError.InvalidArgument, methodProblem);
        if (_tokenizer is null)
            throw new TrainingJobException(TrainingJobError.FailedPrecondition, "the served model has no tokenizer, so text datasets cannot be tokenized");
        int virtualTokens = spec.Method.VirtualTokens;
        if (virtualTokens + spec.Dataset.MaxSequenceLength > _model.Config.MaxPositionEmbeddings)
            throw new TrainingJobException(TrainingJobError.InvalidArgument,
                $"max_sequence_length {spec.Dataset.MaxSequenceLength} plus {virtualTokens} virtual tokens exceeds the model's {_model.Config.MaxPositionEmbeddings} positions");
    }

    private (IReadOnlyList<TrainingExample> Train, IReadOnlyList<TrainingExample> Eval) Parse(TrainingJobSpec spec, byte[] train, byte[]? eval, CancellationToken cancellationToken)
    {
        if (train.LongLength > _options.MaxDatasetBytes || eval?.LongLength > _options.MaxDatasetBytes)
            throw new TrainingJobException(TrainingJobError.ResourceExhausted, $"a dataset is over the {_options.MaxDatasetBytes}-byte limit");
        try
        {
            var trainExamples = JsonlDataset.Read(new MemoryStream(train), _tokenizer!, spec.Dataset, "training data", cancellationToken);
            var evalExamples = eval is null ? [] : JsonlDataset.Read(new MemoryStream(eval), _tokenizer!, spec.Dataset, "validation data", cancellationToken);
            if (eval is null && spec.ValidationFraction > 0) return Split(trainExamples, spec.ValidationFraction, spec.Trainer.Seed);
            return (trainExamples, evalExamples);
        }
        catch (DatasetException e)
        {
            throw new TrainingJobException(TrainingJobError.InvalidArgument, e.Message);
        }
    }

    /// <summary>A seeded hold-out split (the same seed always holds out the same examples).</summary>
    private static (IReadOnlyList<TrainingExample>, IReadOnlyList<TrainingExample>) Split(IReadOnlyList<TrainingExample> all, double fraction, long seed)
    {
        int held = Math.Max(1, (int)Math.Round(all.Count * fraction));
        if (held >= all.Count) throw new TrainingJobException(TrainingJobError.InvalidArgument, $"validation_fraction {fraction} leaves no training examples out of {all.Count}");
        var order = Enumerable.Range(0, all.Count).ToArray();
        new Random(unchecked((int)seed)).Shuffle(order);
        return (order.Skip(held).Select(i => all[i]).ToArray(), order.Take(held).Select(i => all[i]).ToArray());
    }

    private TrainingContext Context() =>
        new(_model, _tokenizer is { } tokenizer ? text => tokenizer.Encode(text, addSpecialTokens: false) : null);

    private void SaveRecord(TrainingJob job, TrainingJobInfo state) => JobRecord.Of(state).Save(job.Directory, _options.Writes);

    private static void TryDeleteDirectory(string directory)
    {
        try
        {
            if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Best effort: what could not be removed is swept with the next start's leftovers.
        }
    }

    public void Dispose() => _active?.Dispose();
}
