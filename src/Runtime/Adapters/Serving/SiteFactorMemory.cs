using Peft.Runtime.Torch;
using static TorchSharp.torch;

namespace Peft.Runtime.Adapters.Serving;

/// <summary>
/// One site's factors in a <see cref="LoraSlotPool"/> as raw float32 memory. A: the input group's tensor [slots, r_max,
/// G, in], so slot s's row (r, g) is at A + s·ASlotStride + (r·G + g)·In: the group's first rank·G rows are the shared
/// shrink's matrix, and site g's own rows are In·G apart from A + g·In. B: [slots, r_max, out] as stored, each rank's
/// outputs dense.
/// </summary>
internal sealed unsafe class SiteFactorMemory(float* a, long aSlotStride, int group, int position, int inFeatures, float* b, long bSlotStride, int outFeatures)
{
    public float* A { get; } = a;
    public long ASlotStride { get; } = aSlotStride;
    public int Group { get; } = group;          // G
    public int Position { get; } = position;    // this site's g
    public int In { get; } = inFeatures;
    public float* B { get; } = b;
    public long BSlotStride { get; } = bSlotStride;
    public int Out { get; } = outFeatures;

    public static SiteFactorMemory Of(Tensor sharedA, Tensor storedB, int position) => new(
        (float*)TensorMemory.Pointer(sharedA), sharedA.stride(0), (int)sharedA.size(2), position, (int)sharedA.size(3),
        (float*)TensorMemory.Pointer(storedB), storedB.stride(0), (int)storedB.size(2));
}
