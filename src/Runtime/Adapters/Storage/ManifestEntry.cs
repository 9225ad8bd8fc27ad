namespace Peft.Runtime.Adapters.Storage;

/// <summary>One registered adapter as the manifest records it.</summary>
/// <param name="Id">The adapter id (<see cref="Adapters.AdapterId"/>).</param>
/// <param name="Path">The resolved absolute directory: under a root, or a committed upload under the store.</param>
/// <param name="Version">Content hash of the files (<see cref="AdapterFiles.ContentHash"/>).</param>
/// <param name="PeftType">LORA, PREFIX_TUNING, PROMPT_TUNING or P_TUNING, as PEFT names it.</param>
/// <param name="RegisteredAt">When the registry registered this version.</param>
public sealed record ManifestEntry(string Id, string Path, string Version, string PeftType, DateTimeOffset RegisteredAt);
