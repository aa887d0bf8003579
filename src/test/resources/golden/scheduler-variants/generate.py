"""Scheduler golden data for configurations beyond ../schedulers (other spacings, schedules,
solver orders and types, Karras/Lu sigmas, SDE variants, zero-SNR rescaling, ...).

Note: with a zero final sigma, UniPC's bh1 variant gives NaN in the reference's last step
(B(h) = -inf times a zero residual); unipc_bh1 records that as is.

Needs diffusers 0.30.3, torch (CPU) and numpy; run from this directory:
    python generate.py
Writes cases.json (every case's config and run metadata) and golden.safetensors.
"""
import json
import math
import struct
import sys
from pathlib import Path

import numpy as np
import torch

import diffusers
from diffusers.schedulers import (
    scheduling_dpmsolver_multistep,
    scheduling_euler_ancestral_discrete,
    scheduling_euler_discrete,
)

HERE = Path(__file__).resolve().parent
GOLDEN = HERE.parent
SD15 = json.loads((GOLDEN / "real-checkpoints/sd15/scheduler/scheduler_config.json").read_text())
SD21 = json.loads((GOLDEN / "real-checkpoints/sd21/scheduler/scheduler_config.json").read_text())
STEPS = [6, 17, 30]
STRENGTH = 0.5
SHAPE = (2, 4, 2, 2)  # a batch of two candidates

TRAINED_BETAS = [0.0002 + 0.018 * (i / 999) ** 1.5 for i in range(1000)]

# (name, class, base, extra config in the base file, from_config kwargs)
CASES = [
    ("ddim_trailing", "DDIMScheduler", "sd15", {}, {"timestep_spacing": "trailing"}),
    ("ddim_linspace_sample", "DDIMScheduler", "sd15", {}, {"timestep_spacing": "linspace", "prediction_type": "sample"}),
    ("ddim_clip_alpha_one", "DDIMScheduler", "sd15", {}, {"clip_sample": True, "clip_sample_range": 0.8, "set_alpha_to_one": True}),
    ("ddim_zero_snr_trailing_v", "DDIMScheduler", "sd21", {}, {"rescale_betas_zero_snr": True, "timestep_spacing": "trailing"}),
    ("ddim_linear", "DDIMScheduler", "sd15", {}, {"beta_schedule": "linear", "beta_start": 0.0001, "beta_end": 0.02}),
    ("ddim_cosine", "DDIMScheduler", "sd15", {}, {"beta_schedule": "squaredcos_cap_v2"}),
    ("ddim_trained_betas", "DDIMScheduler", "sd15", {}, {"trained_betas": TRAINED_BETAS}),
    ("pndm_linspace", "PNDMScheduler", "sd15", {}, {"timestep_spacing": "linspace"}),
    ("pndm_trailing_alpha_one_v", "PNDMScheduler", "sd21", {}, {"timestep_spacing": "trailing", "set_alpha_to_one": True}),
    ("euler_karras", "EulerDiscreteScheduler", "sd15", {}, {"use_karras_sigmas": True}),
    ("euler_karras_sigma_range", "EulerDiscreteScheduler", "sd15", {}, {"use_karras_sigmas": True, "sigma_min": 0.1, "sigma_max": 10.0}),
    ("euler_leading", "EulerDiscreteScheduler", "sd15", {}, {"timestep_spacing": "leading"}),
    ("euler_trailing_sigma_min", "EulerDiscreteScheduler", "sd15", {}, {"timestep_spacing": "trailing", "final_sigmas_type": "sigma_min"}),
    ("euler_continuous_v", "EulerDiscreteScheduler", "sd21", {}, {"timestep_type": "continuous"}),
    ("euler_sample", "EulerDiscreteScheduler", "sd15", {}, {"prediction_type": "sample"}),
    ("euler_zero_snr_trailing_v", "EulerDiscreteScheduler", "sd21", {}, {"rescale_betas_zero_snr": True, "timestep_spacing": "trailing"}),
    ("euler_trained_betas", "EulerDiscreteScheduler", "sd15", {}, {"trained_betas": TRAINED_BETAS}),
    ("euler_a_leading", "EulerAncestralDiscreteScheduler", "sd15", {}, {"timestep_spacing": "leading"}),
    ("euler_a_zero_snr_trailing_v", "EulerAncestralDiscreteScheduler", "sd21", {}, {"rescale_betas_zero_snr": True, "timestep_spacing": "trailing"}),
    ("lms_karras", "LMSDiscreteScheduler", "sd15", {}, {"use_karras_sigmas": True}),
    ("lms_leading_sample", "LMSDiscreteScheduler", "sd15", {}, {"timestep_spacing": "leading", "prediction_type": "sample"}),
    ("lms_trailing_v", "LMSDiscreteScheduler", "sd21", {}, {"timestep_spacing": "trailing"}),
    ("dpm_order3", "DPMSolverMultistepScheduler", "sd15", {}, {"solver_order": 3}),
    ("dpm_order3_v", "DPMSolverMultistepScheduler", "sd21", {}, {"solver_order": 3}),
    ("dpm_heun", "DPMSolverMultistepScheduler", "sd15", {}, {"solver_type": "heun"}),
    ("dpm_plain_sigma_min", "DPMSolverMultistepScheduler", "sd15", {}, {"algorithm_type": "dpmsolver", "final_sigmas_type": "sigma_min"}),
    ("dpm_plain_heun_v", "DPMSolverMultistepScheduler", "sd21", {}, {"algorithm_type": "dpmsolver", "solver_type": "heun", "final_sigmas_type": "sigma_min"}),
    ("dpm_plain_order3", "DPMSolverMultistepScheduler", "sd15", {}, {"algorithm_type": "dpmsolver", "solver_order": 3, "final_sigmas_type": "sigma_min"}),
    ("dpm_sde_pp", "DPMSolverMultistepScheduler", "sd15", {}, {"algorithm_type": "sde-dpmsolver++"}),
    ("dpm_sde_pp_heun_karras", "DPMSolverMultistepScheduler", "sd15", {}, {"algorithm_type": "sde-dpmsolver++", "solver_type": "heun", "use_karras_sigmas": True}),
    ("dpm_sde_sigma_min", "DPMSolverMultistepScheduler", "sd15", {}, {"algorithm_type": "sde-dpmsolver", "final_sigmas_type": "sigma_min"}),
    ("dpm_sde_heun_sigma_min_v", "DPMSolverMultistepScheduler", "sd21", {}, {"algorithm_type": "sde-dpmsolver", "solver_type": "heun", "final_sigmas_type": "sigma_min"}),
    ("dpm_lu_lambdas", "DPMSolverMultistepScheduler", "sd15", {}, {"use_lu_lambdas": True}),
    ("dpm_euler_at_final", "DPMSolverMultistepScheduler", "sd15", {}, {"euler_at_final": True, "lower_order_final": False, "final_sigmas_type": "sigma_min"}),
    ("dpm_no_lower_order_final", "DPMSolverMultistepScheduler", "sd15", {}, {"lower_order_final": False, "final_sigmas_type": "sigma_min"}),
    ("dpm_leading", "DPMSolverMultistepScheduler", "sd15", {}, {"timestep_spacing": "leading"}),
    ("dpm_trailing_v", "DPMSolverMultistepScheduler", "sd21", {}, {"timestep_spacing": "trailing"}),
    ("dpm_lambda_clipped", "DPMSolverMultistepScheduler", "sd15", {}, {"lambda_min_clipped": -2.0}),
    ("dpm_sample", "DPMSolverMultistepScheduler", "sd15", {}, {"prediction_type": "sample"}),
    ("dpm_zero_snr_trailing_v", "DPMSolverMultistepScheduler", "sd21", {}, {"rescale_betas_zero_snr": True, "timestep_spacing": "trailing"}),
    ("dpm_karras_carried_sigma_range", "DPMSolverMultistepScheduler", "sd15", {"sigma_min": 0.05, "sigma_max": 8.0}, {"use_karras_sigmas": True}),
    ("unipc_order3", "UniPCMultistepScheduler", "sd15", {}, {"solver_order": 3}),
    ("unipc_bh1", "UniPCMultistepScheduler", "sd15", {}, {"solver_type": "bh1"}),
    ("unipc_bh1_sigma_min", "UniPCMultistepScheduler", "sd15", {}, {"solver_type": "bh1", "final_sigmas_type": "sigma_min"}),
    ("unipc_noise_prediction", "UniPCMultistepScheduler", "sd15", {}, {"predict_x0": False, "final_sigmas_type": "sigma_min"}),
    ("unipc_order3_noise_prediction_v", "UniPCMultistepScheduler", "sd21", {}, {"solver_order": 3, "predict_x0": False, "final_sigmas_type": "sigma_min"}),
    ("unipc_karras", "UniPCMultistepScheduler", "sd15", {}, {"use_karras_sigmas": True}),
    ("unipc_karras_sigma_min", "UniPCMultistepScheduler", "sd15", {}, {"use_karras_sigmas": True, "final_sigmas_type": "sigma_min"}),
    ("unipc_disable_corrector", "UniPCMultistepScheduler", "sd15", {}, {"disable_corrector": [0, 2]}),
    ("unipc_no_lower_order_final", "UniPCMultistepScheduler", "sd15", {}, {"lower_order_final": False, "final_sigmas_type": "sigma_min"}),
    ("unipc_leading_v", "UniPCMultistepScheduler", "sd21", {}, {"timestep_spacing": "leading"}),
    ("unipc_sample", "UniPCMultistepScheduler", "sd15", {}, {"prediction_type": "sample"}),
    ("unipc_zero_snr_trailing_v", "UniPCMultistepScheduler", "sd21", {}, {"rescale_betas_zero_snr": True, "timestep_spacing": "trailing"}),
]

draws = []
generator = torch.Generator().manual_seed(0)


def recording_randn(shape, generator=None, device=None, dtype=None, layout=None):
    """Stands in for randn_tensor inside step(): draws from our generator and records each draw."""
    t = torch.randn(shape, generator=globals()["generator"], dtype=dtype or torch.float32)
    draws.append(t.clone())
    return t


for module in (scheduling_euler_ancestral_discrete, scheduling_euler_discrete, scheduling_dpmsolver_multistep):
    module.randn_tensor = recording_randn


def model(x, t):
    # the stand-in model of ../schedulers: 0.3 * x_in + 0.1 sin(t / 100), the constant in double
    return 0.3 * x + 0.1 * math.sin(float(t) / 100.0)


def trajectory(s, x, timesteps):
    samples = [x.clone()]
    first = len(draws)
    for t in timesteps:
        xin = s.scale_model_input(x, t)
        x = s.step(model(xin, t), t, x).prev_sample
        samples.append(x.clone())
    noise = draws[first:]
    return torch.stack(samples), (torch.stack(noise) if noise else None)


def main():
    torch.set_num_threads(1)
    seed = torch.Generator().manual_seed(1234)
    init_noise = torch.randn(SHAPE, generator=seed)
    original = torch.randn(SHAPE, generator=seed)
    img_noise = torch.randn(SHAPE, generator=seed)
    tensors = {"init_noise": init_noise, "img2img.original": original, "img2img.noise": img_noise}
    cases = []
    for name, cls_name, base_name, carried, kwargs in CASES:
        base = dict(SD15 if base_name == "sd15" else SD21)
        base.update(carried)
        cls = getattr(diffusers, cls_name)
        probe = cls.from_config(base, **kwargs)
        case = {"name": name, "class": cls_name, "base": base_name, "carried": carried, "overrides": kwargs,
                "order": probe.order, "steps": {}}
        for n in STEPS:
            s = cls.from_config(base, **kwargs)
            s.set_timesteps(n)
            p = f"{name}.n{n}."
            tensors[p + "timesteps"] = s.timesteps.to(torch.float32)
            if hasattr(s, "sigmas"):
                tensors[p + "sigmas"] = torch.as_tensor(s.sigmas, dtype=torch.float32)
            sigma0 = float(s.init_noise_sigma)
            x = init_noise * s.init_noise_sigma
            samples, noise = trajectory(s, x, s.timesteps)
            tensors[p + "samples"] = samples
            if noise is not None:
                tensors[p + "step_noise"] = noise
            # img2img as StableDiffusionImg2ImgPipeline.get_timesteps + prepare_latents
            r = cls.from_config(base, **kwargs)
            r.set_timesteps(n)
            init_timestep = min(int(n * STRENGTH), n)
            t_start = max(n - init_timestep, 0)
            its = r.timesteps[t_start * r.order:]
            if hasattr(r, "set_begin_index"):
                r.set_begin_index(t_start * r.order)
            xi = r.add_noise(original, img_noise, its[:1].repeat(SHAPE[0]))
            isamples, inoise = trajectory(r, xi, its)
            tensors[p + "img2img.samples"] = isamples
            if inoise is not None:
                tensors[p + "img2img.step_noise"] = inoise
            case["steps"][str(n)] = {"init_noise_sigma": sigma0, "t_start": t_start,
                                     "begin_index": t_start * r.order, "img2img_steps": len(its)}
        cases.append(case)
        print(name, "ok", file=sys.stderr)
    lines = ",\n".join(json.dumps(c) for c in cases)
    (HERE / "cases.json").write_text(
        '{"strength": %s, "shape": %s, "cases": [\n%s\n]}\n' % (json.dumps(STRENGTH), json.dumps(list(SHAPE)), lines))
    write_safetensors(HERE / "golden.safetensors", tensors)


def write_safetensors(path, tensors):
    header, blobs, offset = {}, [], 0
    for name in sorted(tensors):
        a = tensors[name].detach().contiguous().numpy().astype("<f4")
        b = a.tobytes()
        header[name] = {"dtype": "F32", "shape": list(a.shape), "data_offsets": [offset, offset + len(b)]}
        blobs.append(b)
        offset += len(b)
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    path.write_bytes(struct.pack("<Q", len(h)) + h + b"".join(blobs))


if __name__ == "__main__":
    main()
