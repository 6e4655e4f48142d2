"""Simplified Chinese for the page's English strings (see `i18n.py`): the English text is the key."""

from genai_demo.ui.learn import DIFFUSION_TEXT, GAN_TEXT, PLAYGROUND_LEARN_TEXT, STYLEGAN_TEXT, TEXT_TEXT, VAE_TEXT, WGAN_TEXT
from genai_demo.training.playground import PRESETS
from genai_demo.ui.playground_text import PLAYGROUND_HELP, PLAYGROUND_HELP_ZH, PRESET_TEXT_ZH
from genai_demo.ui.repair_text import HELP, INTRO
from genai_demo.ui.style_mixing_text import MIXING_HELP
from genai_demo.ui.translations_zh_learn import (
    DIFFUSION_TEXT_ZH,
    GAN_TEXT_ZH,
    STYLEGAN_TEXT_ZH,
    PLAYGROUND_LEARN_TEXT_ZH,
    TEXT_TEXT_ZH,
    VAE_TEXT_ZH,
    WGAN_TEXT_ZH,
)

ZH: dict[str, str] = {
    # Tabs
    "Images": "图像",
    "Diffusion": "扩散模型",
    "Text": "文本",
    "Train": "训练",
    "Evaluate": "评估",
    "Hub": "模型中心",
    "Learn": "学习",
    "Repair": "修复",
    # Images tab
    "Model": "模型",
    "Refresh model list": "刷新模型列表",
    "Number of samples": "样本数",
    "Seed": "随机种子",
    "Random seed": "随机种子（随机取）",
    "Class": "类别",
    "all classes, one row each": "全部类别，每类一行",
    "Generate": "生成",
    "Samples": "样本",
    "Caption": "说明",
    "Examples (click to fill in)": "示例（点击填入）",
    "Latent interpolation": "潜空间插值",
    "Walk along the arc between two seeds' latent vectors (spherical interpolation): a smooth morph means "
    "the generator learned a continuous space, not a lookup table. A style-based GAN walks the straight line "
    "between their ws instead.":
        "沿两个种子的潜向量之间的弧线行走（球面插值）：变化平滑，说明生成器学到的是连续的空间，而不是一张查找表。"
        "基于风格的 GAN 则沿两者的 w 之间的直线行走。",
    "From seed": "起始种子",
    "To seed": "终止种子",
    "Steps": "步数",
    "Interpolate": "插值",
    "Strip": "图带",
    "Animation": "动画",
    "VAE: reconstruct a digit you draw or upload": "VAE：重建你画的或上传的数字",
    "Choose a VAE above, draw a digit (or upload a picture of one): the encoder maps it to a latent code and "
    "the decoder draws what it understood.":
        "在上方选择一个 VAE，画一个数字（或上传一张数字图片）：编码器把它映射为潜编码，解码器画出它所理解的内容。",
    "Draw a digit": "画一个数字",
    "…or upload one (PNG/JPEG)": "……或上传一张（PNG/JPEG）",
    "What the model sees (28×28)": "模型看到的（28×28）",
    "Reconstruction": "重建结果",
    "Reconstruct": "重建",
    "Model card": "模型卡片",
    # Images tab: style-based GANs
    "Truncation ψ (1 = off)": "截断 ψ（1 = 关闭）",
    "pulls every w towards the average w: lower is cleaner and less varied": "把每个 w 拉向平均 w：越低越干净，但变化越少",
    "Per-layer noise": "逐层噪声",
    "off: the same styles without the noise inputs' fine detail": "关闭：风格不变，但没有噪声输入带来的细节",
    "Style mixing (style-based GANs)": "风格混合（基于风格的 GAN）",
    "Row seeds (coarse styles)": "行种子（粗粒度风格）",
    "Column seeds (fine styles)": "列种子（细粒度风格）",
    "Crossover layer": "交叉层",
    "Row": "行",
    "Column": "列",
    "on": "开",
    "off": "关",
    "Mix styles": "混合风格",
    "Style-mixing grid": "风格混合网格",
    MIXING_HELP: "每个格子的**粗粒度**风格（交叉点之前的层：数字或衣物的形状）取自所在**行**的种子，**细粒度**风格"
    "（从交叉点开始的层：笔画和纹理细节）取自所在**列**的种子；种子各自的图像排在顶部和左侧。交叉点为 0 时，每个格子都是所在列的图像；"
    "取最大值时，则是所在行的图像。",
    # Diffusion tab
    "Diffusion model": "扩散模型",
    "…or load one from the Hub": "……或从 Hub 加载一个",
    "Hub id": "Hub 模型 ID",
    "Load from Hub": "从 Hub 加载",
    "Sampler": "采样器",
    "Prompt (English or Chinese; wins over the class)": "提示词（英文或中文；优先于类别）",
    "Guidance scale": "引导强度",
    "0: unconditional · 1: plain conditional · higher: follows the class harder":
        "0：无条件 · 1：普通条件生成 · 更高：更严格地遵循类别",
    "DDIM (deterministic, few steps)": "DDIM（确定性，步数少）",
    "DPM-Solver++ (fewest steps)": "DPM-Solver++（步数最少）",
    "DDPM (the original, stochastic, needs ~1000 steps)": "DDPM（原始方法，随机，约需 1000 步）",
    "Denoising steps": "去噪步数",
    "any class": "任意类别",
    "While sampling, show": "采样时显示",
    "noisy sample x_t": "带噪样本 x_t",
    "model's guess of the result x̂₀": "模型对结果的猜测 x̂₀",
    "Stop": "停止",
    # Text tab
    "Text model": "文本模型",
    "Max new tokens": "最多生成词元数",
    "Temperature (0: greedy)": "温度（0：贪心）",
    "Top-k (0: off)": "Top-k（0：关闭）",
    "Top-p (1: off)": "Top-p（1：关闭）",
    "Repetition penalty (1: off)": "重复惩罚（1：关闭）",
    "Prompt": "提示词",
    "Ctrl+Enter (or Shift+Enter) generates; Enter is a new line": "Ctrl+Enter（或 Shift+Enter）生成；Enter 换行",
    "Prompt and generated text": "提示词与生成的文本",
    # Train tab
    "Model family": "模型类型",
    "MLP GAN (the textbook baseline)": "MLP GAN（教科书基线）",
    "DCGAN": "DCGAN",
    "Conditional DCGAN": "条件 DCGAN",
    "WGAN-GP": "WGAN-GP",
    "VAE": "VAE",
    "Diffusion (DDPM, diffusers UNet)": "扩散模型（DDPM，diffusers UNet）",
    "StyleGAN (style-based, mapping network)": "StyleGAN（基于风格，带映射网络）",
    "Character LSTM": "字符级 LSTM",
    "Tiny GPT (transformers GPT-2)": "小型 GPT（transformers GPT-2）",
    "Dataset": "数据集",
    "my upload": "我上传的数据",
    "…or upload: a .zip of images (sub-folders are classes) or a .txt":
        "……或上传：图像的 .zip 压缩包（子文件夹即类别）或一个 .txt 文本",
    "Image size (uploads)": "图像尺寸（上传数据）",
    "Channels (uploads)": "通道（上传数据）",
    "grayscale": "灰度",
    "RGB": "RGB 彩色",
    "Run name": "运行名称",
    "Batch size": "批大小",
    "Learning rate": "学习率",
    "Latent size": "潜向量维度",
    "Sample every N steps": "每 N 步采样一次",
    "Save every N steps": "每 N 步保存一次",
    "Evaluate every N steps (0: off)": "每 N 步评估一次（0：关闭）",
    "classifier-FID for MNIST image models (best kept as <run>/best); bits/char for text":
        "图像模型为 classifier-FID（最佳模型保存在 <run>/best）；文本模型为每字符比特数",
    "Self-conditioning clusters (0: off)": "自条件化簇数（0：关闭）",
    "k-means clusters of the training images condition both networks (Liu et al. 2020): every digit gets its "
    "share, no labels used":
        "训练图像的 k-means 簇同时作为两个网络的条件（Liu 等，2020）：每个数字都得到应有的份额，不使用标签",
    "EMA decay (0: none)": "EMA 衰减（0：不用）",
    "sample from a moving average of the weights": "用权重的滑动平均来采样",
    "Admin": "管理员",
    "Admin token (may stop or resume anyone's run)": "管理员令牌（可停止或继续任何人的运行）",
    "Resume": "继续训练",
    "Run": "运行",
    "Losses": "损失",
    "Sample quality": "样本质量",
    "Smoothing": "平滑",
    "exponential moving average, as in TensorBoard": "指数滑动平均，与 TensorBoard 相同",
    "Log scale": "对数坐标",
    "Compare with a past run": "与以前的运行比较",
    "its series are marked (past)": "其曲线标为 (past)",
    "(none)": "（无）",
    "Fixed-seed samples": "固定种子的样本",
    "Text sample": "文本样本",
    "Timeline: the fixed-seed grid at each sample step": "时间线：每个采样步的固定种子网格",
    "Log": "日志",
    # Evaluate tab
    "Image models": "图像模型",
    "Image models (two or more)": "图像模型（两个或更多）",
    "Images per side": "每侧图像数",
    "Compare": "比较",
    "Figures": "指标",
    "64 samples each (same seed)": "各 64 个样本（相同种子）",
    "Training losses": "训练损失",
    "Text models": "文本模型",
    "Text models (two or more)": "文本模型（两个或更多）",
    "Held-out text of": "留出文本来自",
    "Enter compares": "按 Enter 开始比较",
    "Completions": "续写结果",
    # Hub tab
    "Local model": "本地模型",
    "shipped models and your own (trained here or pulled)": "随附的模型和你自己的模型（在这里训练或拉取的）",
    "Samples (fixed seed)": "样本（固定种子）",
    "All models": "全部模型",
    "Pull from the Hub": "从 Hub 拉取",
    "Safetensors, JSON, tokenizer and card files only: no pickle and no code is ever downloaded. Cached models "
    "work offline (`HF_HUB_OFFLINE=1`).":
        "只下载 safetensors、JSON、分词器和模型卡片文件：从不下载 pickle 或代码。已缓存的模型可离线使用"
        "（`HF_HUB_OFFLINE=1`）。",
    "Hub model id": "Hub 模型 ID",
    "Revision (optional)": "版本（可选）",
    "main, a tag or a commit": "main、标签或提交",
    "Pull": "拉取",
    "Push to the Hub": "推送到 Hub",
    "Hub repo id": "Hub 仓库 ID",
    "private": "私有",
    "Commit message": "提交说明",
    "Hub token (write)": "Hub 令牌（写权限）",
    "hf_… (or set HF_TOKEN)": "hf_……（或设置 HF_TOKEN）",
    "Push": "推送",
    "Rename or delete (your models only)": "重命名或删除（仅限你自己的模型）",
    "New name": "新名称",
    "Rename": "重命名",
    "Delete": "删除",
    # Descriptions
    "A diffusion model turns noise into an image in many small denoising steps. Pick a sampler and a number of "
    "steps, and watch the grid sharpen; **Stop** ends the run at once.":
        "扩散模型通过许多个小的去噪步骤把噪声变成图像。选择采样器和步数，看着网格逐渐清晰；**停止** 会立即结束。",
    "Train a model here and watch it learn. The run continues if you close or reload the page; come back and it "
    "reattaches. Stop saves a checkpoint that **Resume** continues exactly (optimizer, step and random state "
    "included). The same run from a terminal: `python -m genai_demo train --help`.":
        "在这里训练一个模型并看着它学习。关闭或刷新页面后训练仍会继续；回来时页面会重新连上它。停止会保存一个检查点，"
        "**继续训练** 能精确地接着训练（包括优化器、步数和随机状态）。在终端里运行同样的训练："
        "`python -m genai_demo train --help`。",
    'Sample quality: not measured in this run (set "Evaluate every N steps")':
        "样本质量：本次运行未测量（请设置“每 N 步评估一次”）",
    "Sample quality: classifier-FID, lower is better (fid_floor: real data against real data)":
        "样本质量：classifier-FID，越低越好（fid_floor：真实数据对真实数据）",
    "Validation bits per character on held-out text (lower is better)": "留出文本上的验证每字符比特数（越低越好）",
    "Compare models on the same data. Classifier-FID is measured once per model folder and setting and cached "
    "in it (`eval_results.json`; a shipped model's, for settings other than its card's, while the app runs), as "
    "are the 64-sample grids and their times while the app runs. The first comparison of a model samples it "
    "(seconds for a GAN, minutes for a diffusion model on a CPU); repeating one takes about a second.":
        "在相同的数据上比较模型。classifier-FID 对每个模型文件夹和设置只测量一次，并缓存在其中（`eval_results.json`；"
        "随附模型在其模型卡以外的设置下的结果则在应用运行期间保留），64 个样本的网格及其耗时也在应用运行期间保留。第一次比较某个模型时会对它采样（GAN 需几秒，扩散模型在 CPU 上需几分钟）；"
        "重复比较大约只需一秒。",
    "Sample quality during training: classifier-FID on a log10 axis (1.3 = 20, 2 = 100, 3 = 1,000; lower is better)":
        "训练期间的样本质量：以 log10 坐标显示的 classifier-FID（1.3 = 20，2 = 100，3 = 1,000；越低越好）",
    "Pushes the chosen model's files (not its training state) with a card written for the Hub: figures as "
    "model-index, the training command, curves and a snippet that loads it. The token comes from `HF_TOKEN` or "
    "this box; it is never logged or saved. To push a run's best checkpoint, choose `<run>/best`.":
        "推送所选模型的文件（不含训练状态），附带为 Hub 写的模型卡片：model-index 形式的指标、训练命令、曲线和加载它的代码片段。"
        "令牌来自 `HF_TOKEN` 或此输入框；它从不被记录或保存。要推送一次运行的最佳检查点，请选择 `<run>/best`。",
    "Upload … from genai-demo": "从 genai-demo 上传……",
    # Playground tab
    "Playground": "二维演练场",
    PLAYGROUND_HELP.strip(): PLAYGROUND_HELP_ZH.strip(),
    **{PRESETS[name].explanation: text for name, text in PRESET_TEXT_ZH.items()},
    "Preset": "预设",
    "Family": "模型族",
    "Data": "数据",
    "Draw the data (choose Data: drawn)": "画出数据（数据选 drawn）",
    "Steps per frame": "每帧训练步数",
    "Learning rate (the generator's)": "学习率（生成器的）",
    "Discriminator learning rate": "判别器学习率",
    "n_critic (D steps per G step)": "n_critic（每步生成器对应的判别器步数）",
    "λ (gradient penalty)": "λ（梯度惩罚）",
    "t of the denoising field (0: least noise)": "去噪场的 t（0：噪声最少）",
    "Play": "播放",
    "Pause": "暂停",
    "Step": "单步",
    "Reset": "重置",
    "Data space": "数据空间",
    "Curves": "曲线",
    # Learn tab
    GAN_TEXT.strip(): GAN_TEXT_ZH.strip(),
    WGAN_TEXT.strip(): WGAN_TEXT_ZH.strip(),
    STYLEGAN_TEXT.strip(): STYLEGAN_TEXT_ZH.strip(),
    VAE_TEXT.strip(): VAE_TEXT_ZH.strip(),
    DIFFUSION_TEXT.strip(): DIFFUSION_TEXT_ZH.strip(),
    # Repair tab
    INTRO.strip(): "损坏一张留出的测试图像（或你自己的：在编辑器里上传或画出），让模型把它修复，无需重新训练：模型本身就是先验。"
                   "用画笔涂掉要补全的部分，或选一种损坏方式。",
    HELP.strip(): """**扩散模型**修复空洞用 DDNM（零空间投影，Wang 等 2023）或 RePaint（Lugmayr 等 2022），超分辨率用 DDNM 或
ILVR（Choi 等 2021），去噪从图像已有的噪声水平开始去噪，草图用 SDEdit（Meng 等 2022）；**VAE 或 GAN** 用潜变量反演
（优化潜变量，直到生成的图像与已知像素吻合）。简单基线（填充 / 双三次插值 / 模糊）放在一旁对照。**每份修复的候选数** K：
每张图在一批里修复 K 次，保留与其他候选最相似的那一个（它们的中心点，即最小贝叶斯风险的选择）。有歧义的数字（是 7 还是 9？）
单次修复成为较可能的读法，只靠运气；中心点落在修复结果最密集的地方。

在 500 个留出数字上测得（`python -m genai_demo eval-repair checkpoints/ddpm-mnist`，共识那几行加 `--candidates 16`，
`vae-mnist`、`dcgan-mnist` 同样；扩散 50 步，双核 CPU）。标签一致率：冻结的分类器把修复结果读成与原图相同类别的比例；PSNR
只算受损像素。最后一列：直接在受损数字上训练的分类器（`python bench/repair_ceiling.py`），是任何修复能达到多远的一个
偏低的估计（×4 的共识就超过了它）。改用 4,500 个训练数字中的四分之一或一半来训练（`--train-images 1125 --epochs 120`、
`2250 --epochs 60`），它在中心方块上的结果是 81.4% 和 83.2%：更多数据几乎不改变它。

| 损坏方式 | 这里最好的 | 其他方法 | 简单基线 | 在受损图上训练 |
|---|---|---|---|---|
| 遮住下半部分 | DDNM，16 个候选 84.6%（32 个候选：84.4%） | VAE 反演 83.0%，DDNM 76.0%，RePaint 74.8%，DCGAN 反演 74.2% | 填充 60.8% | 90.2% |
| 遮住中心方块 | DDNM，16 个候选 79.8% | VAE 反演 75.2%，DCGAN 反演 67.4%，RePaint 65.0%，DDNM 64.6% | 填充 39.4% | 83.2% |
| 下采样 ×4 | DDNM，16 个候选 95.8%，19.4 dB | VAE 反演 94.4%，18.1 dB；DDNM 93.6%，17.5 dB；DCGAN 反演 90.4%，16.3 dB；ILVR 83.6%，15.4 dB | 双三次 77.4%，14.5 dB | 94.4% |
| 下采样 ×2 | DDNM 99.6%，27.4 dB | ILVR 99.8%，26.1 dB；DCGAN 反演 98.6%，24.1 dB；VAE 反演 97.6%，21.6 dB | 双三次 98.2%，20.6 dB | |
| 噪声 σ 0.5 | 扩散去噪 98.6%，25.4 dB | DCGAN 反演 98.2%，22.0 dB；VAE 反演 98.2%，20.6 dB | 模糊 96.4%，17.9 dB | |

一次修复：DDNM 0.1 秒，RePaint 0.4 秒（各自 20 张一批），VAE 反演 0.2 秒，DCGAN 反演 0.7 秒；DDNM 加 16 个候选修复一个数字
1.5 秒。遮住的下半部分或中心方块常常本身就有歧义：多个种子会展示各种可能。""",
    "Methods, and how well they repair": "方法，以及修复得有多好",
    "Held-out image number": "留出测试图像编号",
    "Load test image": "载入测试图像",
    "Blank canvas": "空白画布",
    "Damage": "损坏方式",
    "paint over the image with the brush": "用画笔在图像上涂抹",
    "lower half hidden": "遮住下半部分",
    "centre box hidden": "遮住中心方块",
    "random half of the pixels hidden": "随机遮住一半像素",
    "Gaussian noise (σ below)": "高斯噪声（σ 见下）",
    "down-sampled ×2": "下采样 ×2",
    "down-sampled ×4": "下采样 ×4",
    "a sketch: the drawing itself, made plausible": "草图：把画的图本身变得逼真",
    "already damaged: the mask uploaded below (white = fill in)": "已损坏：用下方上传的掩码（白色 = 需补全）",
    "Noise σ (image in [-1, 1])": "噪声 σ（图像取值 [-1, 1]）",
    "Strength (0: keep the sketch · 1: ignore it)": "强度（0：保留草图 · 1：忽略草图）",
    "Method": "方法",
    "RePaint resampling": "RePaint 重采样",
    "Jump length (steps back)": "跳跃长度（回退步数）",
    "Resamplings (1: none)": "重采样次数（1：不重采样）",
    "the model's default": "模型的默认方法",
    "Denoising steps (diffusion)": "去噪步数（扩散模型）",
    "Repairs (one per seed)": "修复份数（每个种子一份）",
    "Candidates per repair (keep the one most like the others)": "每份修复的候选数（保留与其他候选最相似的一个）",
    "Image: paint over what is to be filled in": "图像：涂抹需要补全的部分",
    "Mask (PNG of the image's size, white = fill in)": "掩码（与图像同尺寸的 PNG，白色 = 需补全）",
    "Damaged": "损坏后",
    "Repaired": "修复后",
    "Original": "原图",
    TEXT_TEXT.strip(): TEXT_TEXT_ZH.strip(),
    PLAYGROUND_LEARN_TEXT.strip(): PLAYGROUND_LEARN_TEXT_ZH.strip(),
}

# Strings built from values (a device, a count): (regex of the English, template of the Chinese).
ZH_PATTERNS: list[tuple[str, str]] = [
    (r"# genai-demo\nGenerate images with GANs, a VAE and diffusion models, repair damaged ones with them, and text "
     r"with an LSTM and a tiny GPT, all trained by this project\. Running on \*\*(\w+)\*\*\.",
     "# genai-demo\n用 GAN、VAE 和扩散模型生成图像并用它们修复受损图像，用 LSTM 和小型 GPT 生成文本，所有模型都由本项目训练。"
     r"运行在 **\1** 上。"),
]
