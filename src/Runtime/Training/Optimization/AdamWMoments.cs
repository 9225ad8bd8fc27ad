using TorchSharp;

namespace Peft.Runtime.Training.Optimization;

/// <summary>
/// One parameter's AdamW state, as torch keeps it: how many updates it has had (parameters without a gradient at a
/// step are skipped and do not count) and the two moment estimates, shaped like the parameter.
/// The tensors belong to the <see cref="AdamW"/> that returned them: read them, never dispose or keep them.
/// </summary>
public sealed record AdamWMoments(long Step, torch.Tensor ExpAvg, torch.Tensor ExpAvgSq);
