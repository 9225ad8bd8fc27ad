namespace Peft.Runtime.Adapters.Storage;

/// <summary>What startup found in the manifest. A corrupt manifest is not fatal: it is moved aside and the registry
/// starts empty; <see cref="Problem"/> then says why and where the file went, for the caller to log.</summary>
public sealed record ManifestReadResult(IReadOnlyList<ManifestEntry> Entries, string? Problem = null, string? MovedAsideTo = null);
