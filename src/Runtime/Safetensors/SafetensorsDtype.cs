namespace Peft.Runtime.Safetensors;

/// <summary>
/// Element types of the safetensors format, spelled as in the header's <c>dtype</c> field.
/// </summary>
/// <remarks>
/// The numeric order is the reference implementation's (increasing alignment). Its writer lays tensors out by
/// descending dtype, then by name, so every tensor starts aligned to its element size; <see cref="SafetensorsWriter"/>
/// sorts the same way and so writes files byte-identical to the reference for the same tensors.
/// The header parser knows every value here; loading needs a TorchSharp equivalent, see
/// <see cref="SafetensorsDtypes.ToScalarType"/>.
/// </remarks>
public enum SafetensorsDtype
{
    BOOL,
    U8,
    I8,
    F8_E5M2,
    F8_E4M3,
    I16,
    U16,
    F16,
    BF16,
    I32,
    U32,
    F32,
    F64,
    I64,
    U64,
}
