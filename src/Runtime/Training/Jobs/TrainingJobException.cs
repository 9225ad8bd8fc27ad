namespace Peft.Runtime.Training.Jobs;

public enum TrainingJobError
{
    InvalidArgument,
    NotFound,
    AlreadyExists,
    FailedPrecondition,
    ResourceExhausted,
    /// <summary>A caller-named path leads outside the directory it must stay in.</summary>
    PermissionDenied,
    /// <summary>Training is out of service (it stopped after an internal fault); serving goes on.</summary>
    Unavailable,
}

/// <summary>A training request the server will not run; the message names the problem (line numbers for data).</summary>
public sealed class TrainingJobException(TrainingJobError error, string message) : Exception(message)
{
    public TrainingJobError Error { get; } = error;
}
