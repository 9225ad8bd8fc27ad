namespace Peft.Runtime.Tests.Training;

/// <summary>
/// Tests that compare runs seeded through libtorch's process-wide generator (as a training job seeds it on the engine
/// thread, its only user in the server). They run alone: another test drawing random numbers on another thread in
/// between would shift the stream and make two equal runs differ.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class GlobalTorchRandom
{
    public const string Name = "libtorch's global random generator";
}
