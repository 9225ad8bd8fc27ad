namespace Peft.Runtime.Models.Config;

/// <summary>Rotary position embedding settings (HF <c>rope_theta</c> and <c>rope_scaling</c>).</summary>
public sealed record RopeConfig(double Theta, RopeScaling? Scaling);

/// <summary>A supported <c>rope_scaling</c> entry. Types that change the math and are not implemented are refused at load.</summary>
public abstract record RopeScaling;

/// <summary><c>{"rope_type": "linear", "factor": f}</c>: every inverse frequency divided by the factor.</summary>
public sealed record LinearRopeScaling(double Factor) : RopeScaling;

/// <summary>Llama 3.x frequency-dependent scaling (HF <c>_compute_llama3_parameters</c>).</summary>
public sealed record Llama3RopeScaling(
    double Factor,
    double LowFreqFactor,
    double HighFreqFactor,
    int OriginalMaxPositionEmbeddings) : RopeScaling;
