"""Simplified Chinese of the Learn tab (the English is in `learn.py`)."""

GAN_TEXT_ZH = r"""
### GAN：一场双人博弈（Goodfellow 等，2014）

生成器 $G$ 把噪声 $z \sim p_z = \mathcal{N}(0, I)$ 映射为图像；判别器 $D$ 输出图像为真实图像的概率。
二者进行价值函数如下的极小极大博弈：

$$\min_G \max_D V(D, G) = \mathbb{E}_{x \sim p_\text{data}}[\log D(x)] + \mathbb{E}_{z \sim p_z}[\log(1 - D(G(z)))].$$

固定 $G$ 时，最优判别器为 $D^*(x) = \frac{p_\text{data}(x)}{p_\text{data}(x) + p_g(x)}$，此时
$V(D^*, G) = -\log 4 + 2\,\mathrm{JS}(p_\text{data} \,\|\, p_g)$：生成器最小化的是 Jensen–Shannon 散度。

**非饱和损失**（本应用训练时使用）。训练初期 $D$ 很容易识破假图，而 $\log(1 - D(G(z)))$ 在那里几乎是平的，
$G$ 得不到梯度。于是改为让 $G$ 最大化 $\log D(G(z))$：

$$\mathcal{L}_D = -\log D(x) - \log(1 - D(G(z))), \qquad \mathcal{L}_G = -\log D(G(z)).$$

**DCGAN**（Radford 等，2016）把两个网络都做成卷积网络，使用批归一化，$G$ 中用 ReLU，$D$ 中用
LeakyReLU(0.2)，优化器为 Adam(lr $2\cdot10^{-4}$, $\beta_1 = 0.5$)。**MLP GAN** 使用全连接层
（100 → 256 → 512 → 1024 → 784）。

**如何看曲线。** GAN 的损失不会降到零：它们衡量的是一方相对另一方的表现。达到均衡时 $D(x) = \tfrac12$，
所以 $\mathcal{L}_D \approx 2\ln 2 \approx 1.39$，$\mathcal{L}_G \approx \ln 2 \approx 0.69$。若 `d_loss` 趋向 0
而 `g_loss` 不断上升，说明判别器占了上风，生成器的梯度正在消失；两条曲线都平了、而样本网格不再变化
或处处是同一个数字，就是模式崩溃。判断质量要看固定噪声的样本网格和 classifier-FID
（`python -m genai_demo eval`），而不是看损失。

**数字分布不均与自条件化。** 比崩溃更隐蔽的失败：$G$ 要把一个高斯分布映射到十个彼此分离的数字流形上，
每个数字分到多少高斯质量一旦定下就很难改变，因为样本只能经过 $D$ 拒绝的图像才能漂移到相邻的数字。
在这里，一个无条件 DCGAN 画出的 1 和 4 只有应有比例的三分之一甚至更少；仅按这种比例抽取真实数字就要
损失约 55 个 classifier-FID 点。随附的 DCGAN 是**自条件化**的（Liu 等，2020）：训练图像被 k-means
分成 $k$ 个簇，$G(z, c)$ 和 $D(x, c)$ 都能看到簇编号 $c$，采样时按簇的大小抽取 $c$，于是每个簇、
也就是每个数字，都得到应有的份额。整个过程不使用标签。
"""

STYLEGAN_TEXT_ZH = r"""
### 基于风格的 GAN：映射网络、逐层风格、风格混合与截断（Karras 等，2019、2020）

DCGAN 只在第一层输入 $z$。**StyleGAN** 先让 $z$ 经过一个小的全连接**映射网络**，得到中间潜变量 $w = f(z)$；$w$ 不必服从高斯分布的形状，
因此它的方向可以与数据中真正变化的因素对齐。图像从一个**学习得到的常量**（这里是 7×7）开始生长，每个卷积都有自己的**风格**
$s = A_i w$（$w$ 的一个仿射变换）。在 StyleGAN2 中，风格**调制**卷积权重，再**解调**，使每个输出通道的期望范数为 1：

$$w'_{ijk} = s_i \cdot w_{ijk}, \qquad w''_{ijk} = w'_{ijk} \Big/ \sqrt{\textstyle\sum_{i,k} {w'_{ijk}}^2 + \epsilon}.$$

每一层还加入强度可学习的**逐像素噪声**：那些不必来自 $w$ 的随机细节（笔画在哪里毛糙）。在“图像”页关掉它，就能看到它添加了什么。

**风格混合。** 因为每一层都有自己的一份 $w$，两个潜变量可以分工：**交叉点**之前的层取 $w_1$（粗粒度：形状，是哪个数字或哪件衣物），
其余层取 $w_2$（细粒度：笔画粗细、纹理）。训练时 90% 的假图像会在随机的一层这样混合（混合正则化），使任何一层都不能指望相邻层的风格相同。
“图像”页的混合网格展示了这一点：每一行保留其种子的粗粒度风格，每一列保留其种子的细粒度风格。

**截断。** 远离平均值 $\bar w$ 的罕见 $w$ 会产生最差的图像。用 $\psi < 1$ 采样 $w' = \bar w + \psi\,(w - \bar w)$，
以多样性换取保真度；$\psi = 0$ 给出平均图像。$\bar w$ 在 10,000 个潜变量上测得，并保存在模型文件夹中。
随附的模型以训练图像的 50 个 k-means 聚类作自条件（与上文的 DCGAN 相同），并把每个 $w$ 拉向它所属聚类的平均值，因此截断后各类数字或衣物仍然都在；
它们的输出经过 tanh（论文中的线性输出在这里会因 MNIST 纯黑的背景而坍缩）。

**训练。** 非饱和损失，加上真实图像上的 **R1 惩罚** $\frac{\gamma}{2}\,\mathbb{E}_x \|\nabla_x D(x)\|^2$（Mescheder 等，2018），
每 16 步计算一次、权重放大 16 倍（惰性正则化）；Adam 的 $\beta = (0, 0.99)$、学习率 $2\cdot10^{-3}$，映射网络的学习率小 100 倍；
保存的是生成器权重的指数滑动平均。

**如何读曲线。** 与其他 GAN 相同（见上文）：平衡时 `d_loss` 约为 1.39，`g_loss` 约为 0.69。`r1_penalty` 是真实图像上梯度范数的平方：
它上升说明 $D$ 在训练图像周围变得陡峭，这是过拟合的开始。请用 classifier-FID 和样本网格判断质量。
"""

WGAN_TEXT_ZH = r"""
### 带梯度惩罚的 Wasserstein GAN（Arjovsky 等，2017；Gulrajani 等，2017）

评论家（critic）$f$ 没有 sigmoid；它估计推土机距离
$W(p_\text{data}, p_g) = \sup_{\|f\|_L \le 1} \mathbb{E}_{x \sim p_\text{data}}[f(x)] - \mathbb{E}_{\tilde x \sim p_g}[f(\tilde x)]$。
1-Lipschitz 约束通过对随机插值点 $\hat x = \epsilon x + (1 - \epsilon)\tilde x$（$\epsilon \sim U[0, 1]$）
施加惩罚来软性实现：

$$\mathcal{L}_\text{critic} = \mathbb{E}[f(\tilde x)] - \mathbb{E}[f(x)] + \lambda\, \mathbb{E}_{\hat x}\big[(\|\nabla_{\hat x} f(\hat x)\|_2 - 1)^2\big], \qquad \mathcal{L}_G = -\mathbb{E}[f(G(z))],$$

其中 $\lambda = 10$，每步生成器更新对应五步评论家更新，优化器为 Adam(lr $10^{-4}$, $\beta = (0, 0.9)$)。

**如何看曲线。** 与 GAN 损失不同，$-\mathcal{L}_\text{critic}$（不含惩罚项）是真实图像与生成图像之间距离的
估计：样本变好时它应当下降。
"""

VAE_TEXT_ZH = r"""
### 变分自编码器（Kingma 与 Welling，2014）

编码器 $q_\phi(z \mid x) = \mathcal{N}(\mu_\phi(x), \operatorname{diag} \sigma^2_\phi(x))$ 与解码器
$p_\theta(x \mid z)$ 通过最大化证据下界（ELBO）一起训练：

$$\log p_\theta(x) \ge \mathrm{ELBO} = \mathbb{E}_{q_\phi(z \mid x)}[\log p_\theta(x \mid z)] - \mathrm{KL}\big(q_\phi(z \mid x) \,\|\, \mathcal{N}(0, I)\big),$$

对角高斯的 KL 项有闭式解 $\tfrac12 \sum_j \big(\mu_j^2 + \sigma_j^2 - \log \sigma_j^2 - 1\big)$。

**重参数化技巧。** 对 $z$ 采样不可微，所以写成 $z = \mu_\phi(x) + \sigma_\phi(x) \odot \epsilon$，其中
$\epsilon \sim \mathcal{N}(0, I)$：随机性移到了 $\epsilon$ 上，梯度可以流过 $\mu$ 和 $\sigma$。给 KL 项加权重
$\beta$（$\beta$-VAE）可以在更清晰的重建（$\beta < 1$）与更平滑的潜空间（$\beta > 1$）之间取舍。

**如何看曲线。** 负 ELBO（每张图像的 nats）是数据负对数似然的真实上界：越低越好；若验证曲线上升而训练
曲线继续下降，就是过拟合。每个维度的 KL 项都接近零，则是“后验崩溃”。
"""

DIFFUSION_TEXT_ZH = r"""
### 去噪扩散模型（Ho 等，2020；Song 等，2021）

**前向过程。** 在 $T = 1000$ 个小步中逐步加噪，方差为 $\beta_1, \dots, \beta_T$（这里从 $10^{-4}$ 到 $0.02$）。
记 $\alpha_t = 1 - \beta_t$，$\bar\alpha_t = \prod_{s \le t} \alpha_s$，任意一步都可以一次到达：

$$q(x_t \mid x_0) = \mathcal{N}\big(x_t;\ \sqrt{\bar\alpha_t}\, x_0,\ (1 - \bar\alpha_t) I\big), \qquad x_t = \sqrt{\bar\alpha_t}\, x_0 + \sqrt{1 - \bar\alpha_t}\, \epsilon.$$

**简化损失。** UNet $\epsilon_\theta(x_t, t)$ 学习预测被加入的噪声：

$$\mathcal{L}_\text{simple} = \mathbb{E}_{t \sim U\{1..T\},\, x_0,\, \epsilon \sim \mathcal{N}(0, I)} \big\| \epsilon - \epsilon_\theta(\sqrt{\bar\alpha_t}\, x_0 + \sqrt{1 - \bar\alpha_t}\, \epsilon,\ t) \big\|^2 .$$

它是重新加权的 ELBO。采样时从纯噪声 $x_T$ 出发，一步一步运行学到的逆过程；第 $t$ 步时模型对最终图像的
猜测是 $\hat x_0 = (x_t - \sqrt{1 - \bar\alpha_t}\, \epsilon_\theta) / \sqrt{\bar\alpha_t}$。

**为什么 DDIM 需要的步数更少。** DDPM 的逆过程是一条马尔可夫链，在 $T$ 步中的每一步都加入新噪声。DDIM
使用同一个训练好的网络，但采用具有相同边缘分布 $q(x_t \mid x_0)$ 的非马尔可夫过程；当 $\eta = 0$ 时它是确定性
的，类似常微分方程的路径，可以沿 20–50 个时间步的子序列跳跃而几乎不损失质量。DPM-Solver++ 用高阶方法求解
这个常微分方程，需要的步数更少。确定性采样器还让初始噪声成为真正的潜变量：相同的种子给出相同的图像。

**如何看曲线。** 损失是在随机时间步上平均的噪声预测均方误差，所以波动大，在前几百步之后下降缓慢
（MNIST 上约 0.03–0.05）；损失看起来平了，样本仍在变好。请用样本网格（由 EMA 权重生成）和
classifier-FID 来判断。
"""

TEXT_TEXT_ZH = r"""
### 语言模型：LSTM 与 GPT（Hochreiter 与 Schmidhuber，1997；Radford 等，2019）

二者都根据前面的词元预测下一个词元，用**下一词元交叉熵**
$\mathcal{L} = -\frac{1}{T}\sum_{t} \log p_\theta(x_{t+1} \mid x_{\le t})$ 训练。除以 $\ln 2$ 再除以字符数，就得到
**每字符比特数**，可以比较使用不同分词器的模型（字符二元模型是要超过的基线）。

**LSTM 单元。** 输入 $x_t$、上一隐藏状态 $h_{t-1}$ 与单元状态 $c_{t-1}$：

$$\begin{aligned}
i_t &= \sigma(W_i x_t + U_i h_{t-1} + b_i) && \text{输入门} \\
f_t &= \sigma(W_f x_t + U_f h_{t-1} + b_f) && \text{遗忘门} \\
o_t &= \sigma(W_o x_t + U_o h_{t-1} + b_o) && \text{输出门} \\
\tilde c_t &= \tanh(W_c x_t + U_c h_{t-1} + b_c) && \text{候选值} \\
c_t &= f_t \odot c_{t-1} + i_t \odot \tilde c_t, \qquad h_t = o_t \odot \tanh(c_t).
\end{aligned}$$

加法式的单元更新让梯度能跨越许多步；训练时在文本窗口上做反向传播（截断 BPTT）。**GPT** 用因果自注意力
取代循环：每个位置并行地关注它之前的所有位置，处理的是由几个字符组成的 BPE 词元。

**如何看曲线。** 训练损失（每词元 nats）先快后慢地下降；要关注验证集的每字符比特数：若它上升而训练损失仍在
下降，模型就是在背诵语料。采样温度低于 1 时文本更稳妥、更重复，高于 1 时更多样、也更常出错。
"""


PLAYGROUND_LEARN_TEXT_ZH = r"""
### 在二维中衡量生成器：覆盖、质量、距离（二维演练场）

在中心 $\mu_1, \dots, \mu_M$ 和宽度 $\sigma$ 已知的高斯混合上，两个数字可以区分图像中难以看出的失败（Srivastava 等，2017，
VEEGAN）。若至少 1% 的样本落在某个模式中心 $3\sigma$ 以内，该模式算作**被覆盖**；**高质量比例**是落在任一中心 $3\sigma$
以内的样本所占比例（真实点为 $1 - e^{-9/2} = 98.9\%$）。**模式崩溃**是覆盖的模式少而比例高（样本清晰，但种类太少）；**模糊**
是覆盖了每个模式而比例低（样本落在模式之间）。**切片 Wasserstein 距离**不需要中心：把两组点投影到 $K$ 个方向 $\theta_k$
上，再平均一维距离，$\mathrm{SW}(p, q) = \frac{1}{K}\sum_k W_1(\theta_k^\top p, \theta_k^\top q)$，其中一维的 $W_1$
是排序后投影之间的平均差距（Rabin 等，2011）。如何读曲线：GAN 的覆盖模式曲线可能下降而高质量曲线上升（崩溃）；VAE 的覆盖
是满的而比例一直较低；两者都改进时距离下降。
"""
