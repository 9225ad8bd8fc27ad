using Peft.Runtime.Adapters.Serving;
using Peft.Runtime.Models.Cache;

namespace Peft.Runtime.Engine.Batching;

/// <summary>
/// What one sequence contributes to a forward pass: the next <see cref="Tokens"/> of its stream, appended at cache
/// index <see cref="SequenceKv.Length"/> (which is also their first position). For a virtual-token adapter the
/// stream starts with <see cref="AdapterBinding.VirtualTokenCount"/> placeholder entries whose embeddings the
/// adapter supplies; their token ids are ignored.
/// </summary>
public sealed record SequenceChunk(SequenceKv Kv, IReadOnlyList<int> Tokens, AdapterBinding? Adapter);
