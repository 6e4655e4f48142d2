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
PRESET_TEXT_ZH: dict[str, str] = {
    "ns-gan-collapse":
        "环形排列的 8 个高斯分布上的非饱和 GAN，生成器的输入是 64 维噪声，判别器的学习速度是生成器的四倍（4e-3 对 1e-3）。到第 "
        "1,200 步，紫色的点模糊地到达 8 个绿色模式中的 7 个；从第 2,200 步起，它们只停在其中 2 个上，清晰（高质量超过 90%），"
        "并一直停到第 5,000 步：这就是模式崩溃。注意背景和箭头：判别器学会把已被占据的模式判为假，箭头把每个样本推向它仍认为真实"
        "的最近处，而损失中没有任何一项奖励覆盖所有模式。覆盖模式曲线降到 2，而高质量比例升到 97%：样本清晰，但种类太少。"
        "（种子 0 和 2 也会崩溃，落在 3 或 4 个模式上。）",
    "wgan-gp-covers":
        "同样的生成器（64 维噪声）按 WGAN-GP 训练：梯度惩罚（λ 0.5）让评论家的斜率保持在 1 附近，每次生成器更新前做 3 次评论家"
        "更新，批大小 512，并从生成器权重的滑动平均（EMA 0.99）采样。评论家衡量样本离数据有多远，而不是判断真假，所以它的斜率"
        "（箭头）始终指向样本漏掉的每个模式。从第 1,400 步起 8 个模式全被覆盖且再未丢失；到第 5,000 步，92% 的样本是高质量的"
        "（真实点本身：98.9%）。",
    "sn-gan-covers":
        "与崩溃预设相同的 GAN 和损失，但判别器的每一层都做了谱归一化（斜率不超过 1），并采用两个时间尺度（判别器学习率 1e-3，"
        "生成器 2e-4）。一个不能变得任意陡峭的判别器会持续给生成器指向所漏模式的梯度：从第 1,500 步到最后一直覆盖全部 8 个模式，"
        "没有崩溃（第 2,600 步曾短暂降到 6 个，且样本模糊）。它的样本变清晰得较慢：第 5,000 步时高质量 61%。",
    "vae-blur":
        "隐空间为二维、解码器为高斯（σ 0.1）的 VAE。它覆盖每个模式，因为 ELBO 会惩罚漏掉任何真实点；但三分之一的样本落在模式"
        "之间（第 5,000 步时高质量 66%）。先验 N(0, I) 是一整块相连的区域；编码器把 8 个模式压成 8 簇均值（右侧面板），解码器"
        "必须把这些簇之间的隐空间映射到某处：沿着环的“桥”上。模式之间的模糊就是二维版本的 VAE 模糊图像。",
    "ddpm-covers":
        "DDPM（余弦调度的 100 个噪声级别，使用 diffusers 的 DDPMScheduler），噪声预测器是一个小型 MLP，从其权重的滑动平均"
        "（EMA 0.99）采样。从第 700 步起每个模式都被覆盖，到第 5,000 步 95% 的样本是高质量的。箭头是第 t 步（滑块）学到的去噪"
        "方向：t 大时指向数据的中部，t 小时指向最近的模式；灰线是从噪声到某个模式的反向轨迹。它的损失是回归，没有需要欺骗的对手，"
        "所以不会崩溃。",
}
