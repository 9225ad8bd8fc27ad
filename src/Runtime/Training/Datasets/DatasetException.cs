namespace Peft.Runtime.Training.Datasets;

/// <summary>A dataset that cannot be trained on; the message names the line and field.</summary>
public sealed class DatasetException(string message) : Exception(message);
