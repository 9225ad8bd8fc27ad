namespace Peft.Kernels.Int8;

/// <summary>Dispatches a <see cref="GemvArgs"/> product over row tiles [t0, t1) to the kernel of an instruction set.</summary>
internal static class Int8Kernels
{
    public static void Gemv(Int8Isa isa, in GemvArgs args, long t0, long t1)
    {
        switch (isa)
        {
            case Int8Isa.Avx512:
                GemvAvx512.Tiles(args, t0, t1);
                break;
            case Int8Isa.Avx2:
                GemvAvx2.Tiles(args, t0, t1);
                break;
            default:
                GemvPortable.Tiles(args, t0, t1);
                break;
        }
    }
}
