namespace Peft.Runtime.Adapters.Storage;

/// <summary>What the start-up clean-up of <c>adapters/</c> did, for the log.</summary>
/// <param name="Removed">Paths relative to <c>adapters/</c> that no registration named.</param>
/// <param name="ManifestProblem">Why the manifest could not be read (it was moved aside and nothing was removed),
/// or null.</param>
public sealed record StoreCleanup(IReadOnlyList<string> Removed, string? ManifestProblem);
