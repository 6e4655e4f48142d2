"""The Playground tab's help, in English and Simplified Chinese (its presets' texts are in
`training/playground.py`, their Chinese here)."""

PLAYGROUND_HELP = (
    "A 2D distribution, a model learning it live, and what it covers. **Play** trains and draws; **Step** makes one "
    "update (for GANs one discriminator or one generator update, in turn). Green: real points; purple: generated. For "
    "GANs the background is the discriminator's belief (green: real) and the arrows show where the generator's loss "
    "pushes its samples; for the VAE the right panel is the latent space; for DDPM the arrows are the learned "
    "denoising direction at step t and the grey lines reverse paths. A mode counts as covered when at least 1% of "
    "1,000 samples land within 3σ of it; high quality is the share within 3σ of any mode (real data: 98.9%); the "
    "sliced Wasserstein distance compares the generated points with the real ones along 64 directions (lower is "
    "closer). The same runs from the command line: `python -m genai_demo playground --preset NAME --json FILE`."
)

PLAYGROUND_HELP_ZH = (
    "一个二维分布，一个实时学习它的模型，以及它覆盖了多少。**播放** 边训练边绘制；**单步** 只做一次更新（对 GAN 依次是一次判别器"
    "或一次生成器更新）。绿色：真实点；紫色：生成的点。对 GAN，背景是判别器的判断（绿色：真实），箭头表示生成器的损失把它的"
    "样本推向哪里；对 VAE，右侧面板是隐空间；对 DDPM，箭头是第 t 步学到的去噪方向，灰线是反向轨迹。若 1,000 个样本中至少 1% "
    "落在某个模式中心 3σ 以内，该模式算作被覆盖；高质量指落在任一模式 3σ 以内的样本比例（真实数据：98.9%）；切片 Wasserstein "
    "距离沿 64 个方向比较生成点与真实点（越低越接近）。命令行中同样可以运行：`python -m genai_demo playground --preset NAME "
    "--json FILE`。"
)

# The presets' explanations (English in training/playground.py), by preset name.
PRESET_TEXT_ZH: dict[str, str] = {}
