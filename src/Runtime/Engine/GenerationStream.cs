using System.Threading.Channels;

namespace Peft.Runtime.Engine;

/// <summary>
/// A submitted request's output: events in order, ending with <see cref="GenerationFinished"/>, or the reader
/// completing with an exception (OperationCanceledException when cancelled). Dispose to stop listening for the
/// caller's cancellation.
/// </summary>
public sealed class GenerationStream : IDisposable
{
    private readonly CancellationTokenRegistration _registration;

    internal GenerationStream(ChannelReader<GenerationEvent> events, CancellationTokenRegistration registration, string adapterVersion, RequestTimeline timeline, long sequenceId)
    {
        SequenceId = sequenceId;
        Events = events;
        _registration = registration;
        AdapterVersion = adapterVersion;
        Timeline = timeline;
    }

    public ChannelReader<GenerationEvent> Events { get; }

    /// <summary>The engine's id of the request (as its test hooks report it).</summary>
    public long SequenceId { get; }

    /// <summary>When the request was submitted and first scheduled.</summary>
    public RequestTimeline Timeline { get; }

    /// <summary>Content hash of the adapter version serving this request ("" for the base model).</summary>
    public string AdapterVersion { get; }

    public void Dispose() => _registration.Dispose();
}
